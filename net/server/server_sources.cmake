# The network shell's sources of ringlog_net (included by net/CMakeLists.txt).
target_sources(ringlog_net PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/connection.cc
  ${CMAKE_CURRENT_LIST_DIR}/listener.cc
  ${CMAKE_CURRENT_LIST_DIR}/server.cc
  ${CMAKE_CURRENT_LIST_DIR}/uncached_range.cc)
