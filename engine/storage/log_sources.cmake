# Partition log sources of ringlog_engine (included by engine/storage/CMakeLists.txt).
target_sources(ringlog_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/batch_scanner.cc
  ${CMAKE_CURRENT_LIST_DIR}/clean_shutdown_marker.cc
  ${CMAKE_CURRENT_LIST_DIR}/direct_writer.cc
  ${CMAKE_CURRENT_LIST_DIR}/file_range.cc
  ${CMAKE_CURRENT_LIST_DIR}/file_system.cc
  ${CMAKE_CURRENT_LIST_DIR}/log.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_appender.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_error.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_recovery.cc
  ${CMAKE_CURRENT_LIST_DIR}/offset_index.cc
  ${CMAKE_CURRENT_LIST_DIR}/sealed_syncs.cc
  ${CMAKE_CURRENT_LIST_DIR}/segment.cc
  ${CMAKE_CURRENT_LIST_DIR}/segment_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/staging_buffer.cc
  ${CMAKE_CURRENT_LIST_DIR}/time_index.cc)
