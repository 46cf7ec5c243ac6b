#include "sim/sweep/local_pool.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "sim/sweep/sweep_progress.hpp"

extern char** environ;

namespace systole {

namespace {

struct Worker {
  pid_t pid = -1;
  int output = -1;  // read end of its stdout
  std::string buffered;
};

Worker spawn_worker(const std::string& executable, const std::string& sweep_path, std::size_t index,
                    std::size_t jobs) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
  const std::string shard = std::to_string(index) + "/" + std::to_string(jobs);
  const std::string writer = "local-" + std::to_string(index) + "-of-" + std::to_string(jobs);
  std::vector<std::string> args = {executable, "sweep", "run", sweep_path, "--shard", shard,
                                   "--writer", writer,     "--notify"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Worker worker;
  const int error = posix_spawn(&worker.pid, executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_ends[1]);
  if (error != 0) {
    close(pipe_ends[0]);
    throw std::runtime_error("cannot start a sweep worker: " + std::string(std::strerror(error)));
  }
  worker.output = pipe_ends[0];
  return worker;
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

LocalOutcome run_local_pool(const std::string& sweep_path, std::size_t jobs, std::size_t pending,
                            const std::atomic<bool>& interrupt) {
  const std::string executable = systole_executable();
  std::vector<Worker> workers;
  for (std::size_t i = 0; i < jobs; ++i) workers.push_back(spawn_worker(executable, sweep_path, i, jobs));
  LocalOutcome outcome;
  SweepProgress progress(pending, isatty(STDERR_FILENO));
  bool stopping = false;
  std::size_t open = workers.size();
  while (open > 0) {
    if (interrupt && !stopping) {
      stopping = true;
      for (const Worker& worker : workers)
        if (worker.output >= 0) kill(worker.pid, SIGTERM);
    }
    std::vector<pollfd> polled;
    for (const Worker& worker : workers)
      if (worker.output >= 0) polled.push_back({worker.output, POLLIN, 0});
    if (poll(polled.data(), polled.size(), 200) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (Worker& worker : workers) {
      if (worker.output < 0) continue;
      pollfd* entry = nullptr;
      for (pollfd& p : polled)
        if (p.fd == worker.output) entry = &p;
      if (!entry || !(entry->revents & (POLLIN | POLLHUP | POLLERR))) continue;
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
          }
        }
        progress.update(outcome.completed, outcome.failed);
      } else if (got == 0 || errno != EINTR) {
        close(worker.output);
        worker.output = -1;
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
