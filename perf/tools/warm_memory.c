// warm_memory MIB: touches MIB MiB of fresh anonymous memory and gives it back.
//
// Why: this VM's balloon reports free guest memory to the host, which takes it back; the next
// program to get such a page pays a host fault on its first touch (perf/broker.md, session 7).
// With the reporting paused (PAUSE_PAGE_REPORTING=1), memory freed in the last 60 s stays backed.
// Touching a few GiB just before a run makes that much backed and free again, so that the pages
// the broker's page cache and the client's heap take during the run are backed, whichever
// broker is measured.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
  if (argc != 2 || atol(argv[1]) <= 0) {
    fprintf(stderr, "usage: warm_memory MIB\n");
    return 2;
  }
  const size_t bytes = (size_t)atol(argv[1]) << 20;
  // MAP_POPULATE faults every page in (zeroed by the kernel) without a loop of ours.
  void* memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (memory == MAP_FAILED) {
    perror("warm_memory: mmap");
    return 1;
  }
  munmap(memory, bytes);
  return 0;
}
