# Record batch and CRC-32C micro-benchmarks (included by bench/micro's CMakeLists.txt).
ringlog_add_bench(crc32c_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/crc32c_bench.cc LIBS ringlog::engine)
ringlog_add_bench(record_batch_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/record_batch_bench.cc LIBS ringlog::engine)
