// A worker that misbehaves on purpose, for the simulator's fault tests.
// Usage: misbehaving_worker MODE
//   garbage        says hello, then writes garbage on the control channel
//   hang           busy-loops without ever touching the channel
//   hang-after     says hello and sleeps once, then busy-loops
//   crash          says hello, works a little, then dies of SIGSEGV
//   ignore-term    ignores SIGTERM and keeps working forever
//   flood          writes 1 MiB to stdout between two channel calls
//   close-channel  says hello, closes the channel, then exits 3 after a moment
//   spawn-child    forks a grandchild that sleeps, then works until stopped
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "worker/client.h"

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  std::string mode = argv[1];
  if (const char* pidfile = std::getenv("ECSIM_TEST_PIDFILE")) {
    FILE* f = std::fopen(pidfile, "w");
    if (f) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
    }
  }
  if (mode == "hang") {
    volatile unsigned long spin = 0;
    while (true) spin = spin + 1;
  }
  auto& client = ecsim::client::Client::Get();
  if (mode == "garbage") {
    int fd = std::atoi(std::getenv("ECSIM_CONTROL_FD"));
    const char junk[] = "\x01\x02 definitely not a request";
    send(fd, junk, sizeof junk - 1, 0);
    char buf[256];
    recv(fd, buf, sizeof buf, 0);  // the simulator kills us instead of answering
    return 0;
  }
  if (mode == "hang-after") {
    client.Sleep(1000000);
    volatile unsigned long spin = 0;
    while (true) spin = spin + 1;
  }
  if (mode == "crash") {
    client.Work(0, 2000000);
    std::printf("about to crash\n");
    std::fflush(stdout);
    signal(SIGSEGV, SIG_DFL);  // die of the signal even where a sanitizer installed a handler
    raise(SIGSEGV);
  }
  if (mode == "ignore-term") {
    signal(SIGTERM, SIG_IGN);
    for (int i = 0;; ++i) client.Work(i, 1000000);
  }
  if (mode == "flood") {
    std::string line(1023, 'x');
    for (int i = 0; i < 1024; ++i) std::printf("%s\n", line.c_str());
    client.Sleep(1000000);
    std::printf("done\n");
    return 0;
  }
  if (mode == "close-channel") {
    close(std::atoi(std::getenv("ECSIM_CONTROL_FD")));
    usleep(50000);
    return 3;
  }
  if (mode == "spawn-child") {
    if (fork() == 0) {
      execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0;; ++i) client.Work(i, 1000000);
  }
  return 64;
}
