#include "sim/engine/layer_pool.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/input_error.hpp"
#include "sim/report/progress.hpp"

namespace systole {

namespace {

// What a worker says of a part, through the pipe (one write each, atomic).
enum class Outcome : std::int32_t { Finished, Interrupted, Failed, BadInput };
struct Message {
  std::int32_t part;
  Outcome outcome;
};

// Steps [begin, end) of a layer: what one worker runs at a time.
struct Part {
  std::size_t layer = 0;
  std::size_t begin = 0, end = 0;
  std::size_t layer_steps = 0;
};

// Cuts the run into parts: whole layers, except that a layer with more work
// (MACs, or vector operations) than 1/16 of a worker's share of the run is
// cut between steps into parts of about that much, so that one long layer
// (an LSTM's) still keeps every worker busy.
std::vector<Part> plan_parts(const Workload& workload, std::int64_t workers) {
  std::vector<std::vector<std::int64_t>> work(workload.layers.size());
  std::int64_t total = 0;
  for (std::size_t l = 0; l < workload.layers.size(); ++l)
    for (const Step& step : lower(workload.layers[l])) {
      const auto* op = std::get_if<VectorOp>(&step.work);
      work[l].push_back(std::max<std::int64_t>(1, op != nullptr ? op->operations : std::get<Layer>(step.work).macs()));
      total += work[l].back();
    }
  const std::int64_t target = std::max<std::int64_t>(1, total / (workers * 16));
  std::vector<Part> parts;
  for (std::size_t l = 0; l < work.size(); ++l) {
    Part part{l, 0, 0, work[l].size()};
    std::int64_t part_work = 0;
    for (std::size_t s = 0; s < work[l].size(); ++s) {
      part_work += work[l][s];
      part.end = s + 1;
      if (part_work >= target && part.end < work[l].size()) {
        parts.push_back(part);
        part.begin = part.end;
        part_work = 0;
      }
    }
    parts.push_back(part);
  }
  return parts;
}

// Adds a later part of a layer to what its earlier parts did, as running its
// steps after theirs in one process would have.
void add_part(LayerStats& layer, const LayerStats& part) {
  layer.counters += part.counters;
  layer.stall_spans.insert(layer.stall_spans.end(), part.stall_spans.begin(), part.stall_spans.end());
  layer.fold_shares.insert(layer.fold_shares.end(), part.fold_shares.begin(), part.fold_shares.end());
  if (layer.mapping.empty()) layer.mapping = part.mapping;
  layer.active_pes = std::max(layer.active_pes, part.active_pes);
  if (part.row_folds != 0 || part.col_folds != 0) {
    layer.row_folds = part.row_folds;
    layer.col_folds = part.col_folds;
  }
  // A failure or a timing-only step settles the layer's verdict: later steps
  // are not checked (Simulator::run_array_step).
  if ((layer.verification == Verification::NotChecked || layer.verification == Verification::Passed) &&
      part.verification != Verification::NotChecked) {
    layer.verification = part.verification;
    layer.verification_detail = part.verification_detail;
  }
}

// A part's statistics on their way from a worker to the parent: every field
// of LayerStats a step adds to, doubles bit for bit (CBOR); the ratios are
// left to finish_layer_stats once the layer is whole.
nlohmann::json encode(const LayerStats& s, std::int64_t slept_cycles) {
  nlohmann::json counters = nlohmann::json::array();
  for (std::size_t c = 0; c < kCounters; ++c) counters.push_back(s.counters[static_cast<Counter>(c)]);
  nlohmann::json spans = nlohmann::json::array();
  for (const StallSpan& span : s.stall_spans)
    spans.push_back({span.first_cycle, span.cycles, static_cast<int>(span.cause)});
  return {{"name", s.name},
          {"kind", static_cast<int>(s.kind)},
          {"batch", s.batch},
          {"steps", s.steps},
          {"gemm", {s.gemm.m, s.gemm.n, s.gemm.k}},
          {"groups", s.groups},
          {"folds", {s.row_folds, s.col_folds}},
          {"expected_macs", s.expected_macs},
          {"first_cycle", s.first_cycle},
          {"counters", counters},
          {"fold_shares", s.fold_shares},
          {"mapping", s.mapping},
          {"active_pes", s.active_pes},
          {"verification", static_cast<int>(s.verification)},
          {"verification_detail", s.verification_detail},
          {"stall_spans", spans},
          {"slept_cycles", slept_cycles}};
}

LayerStats decode(const nlohmann::json& j, std::int64_t& slept_cycles) {
  LayerStats s;
  s.name = j.at("name").get<std::string>();
  s.kind = static_cast<LayerKind>(j.at("kind").get<int>());
  s.batch = j.at("batch").get<std::int64_t>();
  s.steps = j.at("steps").get<std::int64_t>();
  s.gemm = {j.at("gemm")[0].get<std::int64_t>(), j.at("gemm")[1].get<std::int64_t>(),
            j.at("gemm")[2].get<std::int64_t>()};
  s.groups = j.at("groups").get<std::int64_t>();
  s.row_folds = j.at("folds")[0].get<std::int64_t>();
  s.col_folds = j.at("folds")[1].get<std::int64_t>();
  s.expected_macs = j.at("expected_macs").get<std::int64_t>();
  s.first_cycle = j.at("first_cycle").get<std::int64_t>();
  const nlohmann::json& counters = j.at("counters");
  if (counters.size() != kCounters) throw std::runtime_error("layer pool: a worker's record has the wrong counters");
  for (std::size_t c = 0; c < kCounters; ++c) s.counters[static_cast<Counter>(c)] = counters[c].get<std::int64_t>();
  s.fold_shares = j.at("fold_shares").get<std::vector<double>>();
  s.mapping = j.at("mapping").get<std::string>();
  s.active_pes = j.at("active_pes").get<std::int64_t>();
  s.verification = static_cast<Verification>(j.at("verification").get<int>());
  s.verification_detail = j.at("verification_detail").get<std::string>();
  for (const nlohmann::json& span : j.at("stall_spans"))
    s.stall_spans.push_back(
        {span[0].get<std::int64_t>(), span[1].get<std::int64_t>(), static_cast<StallCause>(span[2].get<int>())});
  slept_cycles = j.at("slept_cycles").get<std::int64_t>();
  return s;
}

// The worker processes' shared state and their scratch folder, cleaned up
// however the run ends.
class Pool {
 public:
  explicit Pool(const std::string& scratch_parent) {
    void* shared = mmap(nullptr, sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) throw std::runtime_error(std::string("layer pool: mmap: ") + std::strerror(errno));
    next_part_ = new (shared) std::atomic<std::int64_t>(0);
    if (pipe(messages_) != 0) {
      munmap(shared, sizeof(std::atomic<std::int64_t>));
      throw std::runtime_error(std::string("layer pool: pipe: ") + std::strerror(errno));
    }
    std::string pattern = (std::filesystem::path(scratch_parent) / ".systole-layers-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      const int error = errno;
      close(messages_[0]);
      close(messages_[1]);
      munmap(shared, sizeof(std::atomic<std::int64_t>));
      throw std::runtime_error("cannot make a scratch folder in '" + scratch_parent + "': " + std::strerror(error));
    }
    scratch_ = pattern;
  }
  ~Pool() {
    for (pid_t worker : workers_) kill(worker, SIGKILL);
    reap(/*block=*/true);
    close(messages_[0]);
    if (messages_[1] >= 0) close(messages_[1]);
    munmap(next_part_, sizeof(std::atomic<std::int64_t>));
    std::error_code ignored;
    std::filesystem::remove_all(scratch_, ignored);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  std::string file(std::int64_t part, const char* suffix) const {
    return scratch_ + "/" + std::to_string(part) + suffix;
  }
  std::atomic<std::int64_t>& next_part() { return *next_part_; }
  void add_worker(pid_t pid) { workers_.push_back(pid); }
  void stop_workers() {
    for (pid_t worker : workers_) kill(worker, SIGTERM);
  }
  // After the last fork: the parent only reads, so the pipe ends when every
  // worker has gone.
  void close_write_end() {
    close(messages_[1]);
    messages_[1] = -1;
  }
  int write_end() const { return messages_[1]; }

  // Waits up to `timeout` for messages, then takes all that have come;
  // appends whole ones to `into`.
  void receive(std::vector<Message>& into, std::chrono::milliseconds timeout) {
    pollfd fd{messages_[0], POLLIN, 0};
    int wait = static_cast<int>(timeout.count());
    while (!ended_ && poll(&fd, 1, wait) > 0) {
      wait = 0;
      char bytes[64 * sizeof(Message)];
      const ssize_t n = read(messages_[0], bytes, sizeof bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ended_ = true;  // every worker has closed its end
        break;
      }
      pending_.insert(pending_.end(), bytes, bytes + n);
    }
    const std::size_t whole = pending_.size() / sizeof(Message);
    for (std::size_t i = 0; i < whole; ++i) {
      Message m;
      std::memcpy(&m, pending_.data() + i * sizeof(Message), sizeof m);
      into.push_back(m);
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(whole * sizeof(Message)));
  }
  // No worker can send anything more.
  bool ended() const { return ended_; }

  // Collects workers that have ended; one that did not end cleanly (a crash)
  // is remembered.
  void reap(bool block) {
    for (auto it = workers_.begin(); it != workers_.end();) {
      int status = 0;
      const pid_t done = waitpid(*it, &status, block ? 0 : WNOHANG);
      if (done == 0) {
        ++it;
        continue;
      }
      it = workers_.erase(it);
      if (done > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) && died_.empty())
        died_ = WIFSIGNALED(status) ? "ended by signal " + std::to_string(WTERMSIG(status))
                                    : "exited with status " + std::to_string(WEXITSTATUS(status));
    }
  }
  const std::string& died() const { return died_; }

 private:
  std::string scratch_;
  std::atomic<std::int64_t>* next_part_ = nullptr;
  int messages_[2] = {-1, -1};
  std::vector<pid_t> workers_;
  std::vector<char> pending_;
  bool ended_ = false;
  std::string died_;
};

void send(int fd, std::int64_t part, Outcome outcome) {
  const Message message{static_cast<std::int32_t>(part), outcome};
  [[maybe_unused]] const ssize_t written = write(fd, &message, sizeof message);
}

// A worker: builds its own accelerator and runs parts until none is left,
// the run is interrupted, or something fails. Never returns.
[[noreturn]] void work(Pool& pool, const std::vector<Part>& parts, const ArchConfig& arch, RunOptions options,
                       const Workload& workload, const LayerPoolOptions& pool_options) {
  options.show_progress = false;
  const auto count = static_cast<std::int64_t>(parts.size());
  std::int64_t index = -1;
  int status = 0;
  try {
    Accelerator accelerator;
    Simulator simulator(accelerator, arch, options);
    std::size_t lowered = workload.layers.size();
    std::vector<Step> steps;
    while (!(options.interrupt != nullptr && options.interrupt->load())) {
      index = pool.next_part().fetch_add(1);
      if (index >= count) break;
      const Part& part = parts[static_cast<std::size_t>(index)];
      if (lowered != part.layer) {
        steps = lower(workload.layers[part.layer]);
        lowered = part.layer;
      }
      std::unique_ptr<UtilizationLog> log;
      if (pool_options.utilization != nullptr) {
        log = pool_options.utilization_log(accelerator, simulator, pool.file(index, ".csv"));
        simulator.add_observer(*log);
      }
      const std::int64_t slept_before = simulator.slept_cycles();
      LayerStats stats = start_layer_stats(workload.layers[part.layer], 0);
      const bool finished = simulator.run_steps(workload, part.layer, steps, part.begin, part.end, 0, stats);
      if (log) {
        simulator.remove_observer(*log);
        log->commit();
      }
      std::ofstream record(pool.file(index, ".stats"), std::ios::binary);
      const std::vector<std::uint8_t> bytes =
          nlohmann::json::to_cbor(encode(stats, simulator.slept_cycles() - slept_before));
      record.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      record.close();
      if (!record) throw std::runtime_error("cannot write '" + pool.file(index, ".stats") + "'");
      send(pool.write_end(), index, finished ? Outcome::Finished : Outcome::Interrupted);
      if (!finished) break;
    }
  } catch (const std::exception& e) {
    std::ofstream(pool.file(index, ".error")) << e.what();
    send(pool.write_end(), index, dynamic_cast<const InputError*>(&e) != nullptr ? Outcome::BadInput : Outcome::Failed);
    status = 1;
  } catch (...) {
    // Nothing may unwind into the parent's code, which this process shares.
    std::ofstream(pool.file(index, ".error")) << "a worker failed with an exception of unknown type";
    send(pool.write_end(), index, Outcome::Failed);
    status = 1;
  }
  std::fflush(nullptr);
  _exit(status);
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Copies a worker's utilization rows for one layer, their first column (the
// run cycle) moved by `offset`, and skips its header.
void append_utilization(const std::string& fragment, std::int64_t offset, std::ostream& out) {
  std::ifstream in(fragment);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::size_t comma = line.find(',');
    out << std::stoll(line.substr(0, comma)) + offset << line.substr(comma) << '\n';
  }
}

}  // namespace

std::string layer_pool_problem(const ArchConfig& arch) {
  if (arch.memory_model == MemoryModel::Dram)
    return "the DRAM's state (open rows, refresh, queued transfers) carries from one layer to the next";
  return {};
}

RunResult run_layer_pool(const ArchConfig& arch, const RunOptions& options, const Workload& workload,
                         const LayerPoolOptions& pool_options) {
  if (const std::string problem = layer_pool_problem(arch); !problem.empty())
    throw std::logic_error("run_layer_pool: " + problem);
  if (utilization_columns().front().doc.name != "cycle")
    throw std::logic_error("run_layer_pool: utilization.csv's first column is no longer the run cycle");
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t workers = std::max(1, pool_options.workers);
  const std::vector<Part> parts = plan_parts(workload, workers);
  if (parts.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::runtime_error("layer pool: too many parts");
  const auto count = static_cast<std::int64_t>(parts.size());
  Pool pool(pool_options.scratch_parent);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = getpid();
  for (std::int64_t w = 0; w < std::min(workers, count); ++w) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("layer pool: fork: ") + std::strerror(errno));
    if (pid == 0) {
      // A worker outlives no parent, even one killed outright.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      work(pool, parts, arch, options, workload, pool_options);
    }
    pool.add_worker(pid);
  }
  pool.close_write_end();

  RunResult result;
  result.batch = workload.layers.empty() ? 1 : workload.layers.front().batch;
  ProgressLine progress(options.show_progress, workload.macs(), static_cast<int>(workload.layers.size()));
  std::vector<Outcome> outcomes(parts.size(), Outcome::Finished);
  std::vector<bool> reported(parts.size(), false);
  std::vector<Message> messages;
  std::optional<Message> failure;  // the first part a worker could not run
  bool stopping = false;
  LayerStats layer;  // the layer whose parts are being put together
  std::int64_t next = 0;  // the first part not yet merged
  while (next < count) {
    if (!stopping && options.interrupt != nullptr && options.interrupt->load()) {
      pool.stop_workers();
      stopping = true;
    }
    const Part& part = parts[static_cast<std::size_t>(next)];
    if (reported[static_cast<std::size_t>(next)]) {
      std::int64_t slept = 0;
      LayerStats stats = decode(nlohmann::json::from_cbor(read_whole(pool.file(next, ".stats"))), slept);
      if (part.begin == 0) {
        layer = start_layer_stats(workload.layers[part.layer], result.total_cycles);
        layer.steps = static_cast<std::int64_t>(part.layer_steps);
      }
      // The part ran from cycle 0; the run reaches it here.
      const std::int64_t offset = result.total_cycles + layer[Counter::Cycles];
      for (StallSpan& span : stats.stall_spans) span.first_cycle += offset;
      if (pool_options.utilization != nullptr)
        append_utilization(pool.file(next, ".csv"), offset, *pool_options.utilization);
      std::filesystem::remove(pool.file(next, ".stats"));
      std::filesystem::remove(pool.file(next, ".csv"));
      add_part(layer, stats);
      result.slept_cycles += slept;
      const bool interrupted = outcomes[static_cast<std::size_t>(next)] == Outcome::Interrupted;
      ++next;
      if (interrupted || part.end == part.layer_steps) {
        finish_layer_stats(arch, layer, !interrupted);
        result.total_cycles += layer[Counter::Cycles];
        result.total_macs += layer[Counter::Macs];
        result.layers.push_back(std::move(layer));
        if (interrupted) {
          result.interrupted = true;
          break;
        }
        progress.update(static_cast<int>(part.layer), workload.layers[part.layer].name, result.total_macs,
                        result.total_cycles);
      } else {
        progress.update(static_cast<int>(part.layer), workload.layers[part.layer].name,
                        result.total_macs + layer[Counter::Macs], result.total_cycles + layer[Counter::Cycles]);
      }
      continue;
    }
    // An error in any part ends the run, as it would have when its turn came.
    if (failure) {
      const std::string what = read_whole(pool.file(failure->part, ".error"));
      if (failure->outcome == Outcome::BadInput) throw InputError(what);
      throw std::runtime_error(what);
    }
    const std::string& name = workload.layers[part.layer].name;
    if (!pool.died().empty())
      throw std::runtime_error("layer pool: a worker " + pool.died() + " before layer '" + name + "' was done");
    if (pool.ended()) {
      if (!stopping) throw std::runtime_error("layer pool: the workers ended before layer '" + name + "' was done");
      // Interrupted before this part started: the layer ends where its
      // parts so far did.
      if (part.begin > 0) {
        finish_layer_stats(arch, layer, false);
        result.total_cycles += layer[Counter::Cycles];
        result.total_macs += layer[Counter::Macs];
        result.layers.push_back(std::move(layer));
      }
      result.interrupted = true;
      break;
    }
    messages.clear();
    pool.receive(messages, std::chrono::milliseconds(100));
    pool.reap(/*block=*/false);
    // What a worker said before it died.
    if (!pool.died().empty()) pool.receive(messages, std::chrono::milliseconds(0));
    for (const Message& m : messages) {
      if (m.outcome == Outcome::Failed || m.outcome == Outcome::BadInput) {
        if (!failure) failure = m;
      } else if (m.part >= 0 && m.part < count) {
        reported[static_cast<std::size_t>(m.part)] = true;
        outcomes[static_cast<std::size_t>(m.part)] = m.outcome;
      }
    }
  }
  progress.finish();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace systole
