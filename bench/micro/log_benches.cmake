# Partition log micro-benchmarks (included by bench/micro's CMakeLists.txt).
ringlog_add_bench(log_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/log_bench.cc LIBS ringlog::engine)
