# Admin API tests: librdkafka's admin client (admin_test.cc) and, for the APIs librdkafka 2.0
# cannot send, our own message codecs over a socket (admin_wire_test.cc), both against the real
# broker process.
if(NOT TARGET PkgConfig::RDKAFKA)
  pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
endif()
target_sources(integration_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/admin_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/admin_wire_test.cc)
target_link_libraries(integration_tests PRIVATE PkgConfig::RDKAFKA ringlog::net)
