#pragma once
// Checks of the command line that no single option's parser makes.

#include <boost/program_options.hpp>

namespace systole {

// An option that takes a value takes the next word even when that word is
// another option: "--timeline --traces" would write the timeline to a file
// named --traces and never write the traces. No value Systole takes starts
// with "--", so such a value is refused (InputError) naming both.
void reject_options_as_values(const boost::program_options::variables_map& vm);

}  // namespace systole
