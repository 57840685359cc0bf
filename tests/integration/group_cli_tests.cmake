# The `ringlog group list|describe|delete|reset-offsets` commands against the real broker process
# with librdkafka and kcat group consumers (tests/integration/group_cli_test.cc).
target_sources(integration_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/group_cli_test.cc)
