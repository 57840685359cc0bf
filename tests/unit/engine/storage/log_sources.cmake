# Partition log tests of engine_unit_tests (included by tests/unit/engine/CMakeLists.txt).
target_sources(engine_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/log_direct_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_fault_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_recovery_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_sealed_sync_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_test.cc)
