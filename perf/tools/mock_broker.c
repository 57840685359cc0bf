/* The librdkafka mock cluster as a process of its own: the in-memory reference broker that
 * ringlog's performance is compared with. Usage:
 *   mock_broker PORT_FILE [TOPIC PARTITIONS]...
 * Starts a one-broker mock cluster on 127.0.0.1 (an ephemeral port), creates the topics, writes
 * "host:port" to PORT_FILE and serves until SIGTERM/SIGINT. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

int main(int argc, char** argv) {
  if (argc < 2 || argc % 2 != 0) {
    fprintf(stderr, "usage: %s PORT_FILE [TOPIC PARTITIONS]...\n", argv[0]);
    return 2;
  }
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, 1);
  if (cluster == NULL) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, argv[i], atoi(argv[i + 1]), 1);
    if (err) {
      fprintf(stderr, "topic %s: %s\n", argv[i], rd_kafka_err2str(err));
      return 1;
    }
  }
  FILE* f = fopen(argv[1], "w");
  if (f == NULL) {
    perror(argv[1]);
    return 1;
  }
  fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fclose(f);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  while (!stop_requested) pause();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
