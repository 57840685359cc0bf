# Acceptance tests of the broker issue: the real broker process driven by kcat, librdkafka and
# raw sockets (tests/integration/acceptance_*.cc).
if(NOT TARGET PkgConfig::RDKAFKA)
  pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
endif()
target_sources(integration_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/acceptance_bad_input_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/acceptance_offsets_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/acceptance_crash_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/acceptance_records_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/acceptance_idempotence_test.cc)
target_link_libraries(integration_tests PRIVATE PkgConfig::RDKAFKA)

# rdkafka_performance (librdkafka's example load generator), built at build time into the build
# tree for acceptance_perf_test.cc.
set(RINGLOG_RDKAFKA_PERFORMANCE ${CMAKE_BINARY_DIR}/perf-tools/rdkafka_performance)
add_custom_command(
  OUTPUT ${RINGLOG_RDKAFKA_PERFORMANCE}
  COMMAND bash ${PROJECT_SOURCE_DIR}/perf/tools/build-rdkafka-performance.sh ${CMAKE_BINARY_DIR}/perf-tools
  DEPENDS ${PROJECT_SOURCE_DIR}/perf/tools/build-rdkafka-performance.sh ${PROJECT_SOURCE_DIR}/perf/tools/rd_shim.h
  COMMENT "Building rdkafka_performance"
  VERBATIM)
add_custom_target(rdkafka_performance_tool DEPENDS ${RINGLOG_RDKAFKA_PERFORMANCE})
add_dependencies(integration_tests rdkafka_performance_tool)
target_sources(integration_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/acceptance_perf_test.cc)
target_compile_definitions(integration_tests PRIVATE
  RINGLOG_RDKAFKA_PERFORMANCE="${RINGLOG_RDKAFKA_PERFORMANCE}")
