# The `ringlog topic|produce|consume` commands (libringlog_client) against the real broker process,
# checked with kcat (tests/integration/client_cli_test.cc).
target_sources(integration_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/client_cli_test.cc)
target_link_libraries(integration_tests PRIVATE ringlog::client)
