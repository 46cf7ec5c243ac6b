#pragma once
// Constraints that prune a sweep's points before they run, e.g.
// "area_mm2 <= 10" or "rows * cols <= 4096": a small expression language
// over numbers and names, evaluated without running anything.
//
//   expr := or;  or := and ('||' and)*;  and := not ('&&' not)*
//   not := '!' not | cmp;  cmp := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
//   sum := product (('+'|'-') product)*;  product := unary (('*'|'/'|'%') unary)*
//   unary := '-' unary | number | name | '(' expr ')'
//
// A name is looked up by the caller (a point's architecture keys and its
// pre-run figures); text values compare with == and != against names or
// 'quoted' text. A comparison is 1 or 0; the constraint holds when non-zero.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace systole {

using ConstraintValue = std::variant<double, std::string>;
// The value of a name, or nothing when the name is unknown.
using ConstraintLookup = std::function<std::optional<ConstraintValue>(const std::string& name)>;

class Constraint {
 public:
  // Parses `expression`; throws std::invalid_argument saying what is wrong
  // (a syntax error, with the column).
  explicit Constraint(const std::string& expression);
  ~Constraint();
  Constraint(Constraint&&) noexcept;
  Constraint& operator=(Constraint&&) noexcept;

  // Throws std::invalid_argument on an unknown name or a type mismatch.
  bool holds(const ConstraintLookup& lookup) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::unique_ptr<Node> root_;
};

}  // namespace systole
