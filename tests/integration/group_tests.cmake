# Acceptance tests of the consumer-group issue: the real broker process driven by raw protocol
# requests (group_wire_test.cc) and librdkafka / kcat group consumers (group_test.cc).
target_sources(integration_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/group_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/group_wire_test.cc)
