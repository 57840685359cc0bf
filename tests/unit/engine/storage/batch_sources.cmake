# Record batch, CRC-32C and varint tests of engine_unit_tests (included by
# tests/unit/engine/CMakeLists.txt).
target_sources(engine_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/crc32c_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/record_compression_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/varint_test.cc)
