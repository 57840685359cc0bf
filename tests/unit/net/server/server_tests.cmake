target_sources(net_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/server_test.cc)
