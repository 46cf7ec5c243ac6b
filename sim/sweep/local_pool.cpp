#include "sim/sweep/local_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "sim/sweep/sweep_progress.hpp"

extern char** environ;

namespace systole {

namespace {

struct Worker {
  pid_t pid = -1;
  int input = -1;   // write end of its stdin: the runs it is handed
  int output = -1;  // read end of its stdout: the runs it finished
  std::string buffered;
};

Worker spawn_worker(const std::string& executable, const std::string& sweep_path, std::size_t index) {
  int to_worker[2], from_worker[2];
  // Close-on-exec: a worker gets its own ends (dup2 clears the flag) and no
  // other worker's, whose end of input would otherwise never come.
  if (pipe2(to_worker, O_CLOEXEC) != 0 || pipe2(from_worker, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_worker[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_worker[1], STDOUT_FILENO);
  std::vector<std::string> args = {executable, "sweep", "run", sweep_path, "--writer",
                                   "local-" + std::to_string(index), "--notify", "--runs-from-stdin"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Worker worker;
  const int error = posix_spawn(&worker.pid, executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(to_worker[0]);
  close(from_worker[1]);
  if (error != 0) {
    close(to_worker[1]);
    close(from_worker[0]);
    throw std::runtime_error("cannot start a sweep worker: " + std::string(std::strerror(error)));
  }
  worker.input = to_worker[1];
  worker.output = from_worker[0];
  return worker;
}

void close_input(Worker& worker) {
  if (worker.input >= 0) close(worker.input);
  worker.input = -1;
}

// Hands `worker` the next run, or tells it there are none (end of its stdin).
void hand_out(Worker& worker, const std::vector<std::size_t>& pending, std::size_t& next) {
  if (worker.input < 0) return;
  if (next == pending.size()) {
    close_input(worker);
    return;
  }
  const std::string line = std::to_string(pending[next]) + "\n";
  // A worker that died leaves a closed pipe (EPIPE, SIGPIPE ignored): its
  // stdout's end tells the rest.
  if (write(worker.input, line.data(), line.size()) == static_cast<ssize_t>(line.size())) ++next;
  else close_input(worker);
}

}  // namespace

std::string systole_executable() {
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) throw std::runtime_error(std::string("cannot find the systole executable: ") + std::strerror(errno));
  return std::string(path, static_cast<std::size_t>(length));
}

std::string notify_line(const std::string& status, const std::string& hash, const std::string& error) {
  return status + " " + hash + (error.empty() ? "" : " " + error) + "\n";
}

LocalOutcome run_local_pool(const std::string& sweep_path, std::size_t jobs, const std::vector<std::size_t>& pending,
                            const std::atomic<bool>& interrupt) {
  std::signal(SIGPIPE, SIG_IGN);
  const std::string executable = systole_executable();
  std::vector<Worker> workers;
  std::size_t next = 0;
  for (std::size_t i = 0; i < jobs; ++i) {
    workers.push_back(spawn_worker(executable, sweep_path, i));
    hand_out(workers.back(), pending, next);
  }
  LocalOutcome outcome;
  SweepProgress progress(pending.size(), isatty(STDERR_FILENO));
  bool stopping = false;
  std::size_t open = workers.size();
  while (open > 0) {
    if (interrupt && !stopping) {
      stopping = true;
      for (Worker& worker : workers) {
        close_input(worker);
        if (worker.output >= 0) kill(worker.pid, SIGTERM);
      }
    }
    std::vector<pollfd> polled;
    for (const Worker& worker : workers)
      if (worker.output >= 0) polled.push_back({worker.output, POLLIN, 0});
    if (poll(polled.data(), polled.size(), 200) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (Worker& worker : workers) {
      if (worker.output < 0) continue;
      bool ready = false;
      for (const pollfd& p : polled) ready = ready || (p.fd == worker.output && (p.revents & (POLLIN | POLLHUP | POLLERR)));
      if (!ready) continue;
      char chunk[4096];
      const ssize_t got = read(worker.output, chunk, sizeof chunk);
      if (got > 0) {
        worker.buffered.append(chunk, static_cast<std::size_t>(got));
        for (std::size_t newline; (newline = worker.buffered.find('\n')) != std::string::npos;) {
          const std::string line = worker.buffered.substr(0, newline);
          worker.buffered.erase(0, newline + 1);
          if (line.rfind("completed ", 0) == 0) {
            ++outcome.completed;
          } else if (line.rfind("failed ", 0) == 0) {
            ++outcome.failed;
            outcome.failures.push_back(line.substr(7));
          } else {
            continue;
          }
          if (!stopping) hand_out(worker, pending, next);
        }
        progress.update(outcome.completed, outcome.failed);
      } else if (got == 0 || errno != EINTR) {
        close(worker.output);
        worker.output = -1;
        close_input(worker);
        --open;
      }
    }
  }
  for (const Worker& worker : workers) {
    int status = 0;
    while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    const bool stopped_by_us = stopping && (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) >= 128));
    if (!stopped_by_us && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) outcome.worker_crashed = true;
  }
  progress.finish();
  outcome.interrupted = stopping;
  return outcome;
}

}  // namespace systole
