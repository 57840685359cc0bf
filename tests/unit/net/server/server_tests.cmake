target_sources(net_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/server_test.cc)
target_sources(net_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/connection_move_test.cc)
target_sources(net_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/shard_affinity_test.cc)
