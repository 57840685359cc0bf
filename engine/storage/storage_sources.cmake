# Record batch format, validation and CRC-32C sources of ringlog_engine (included by
# engine/storage/CMakeLists.txt).
target_sources(ringlog_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/crc32c.cc
  ${CMAKE_CURRENT_LIST_DIR}/record_batch.cc
  ${CMAKE_CURRENT_LIST_DIR}/record_compression.cc)

# The four codecs of compressed batches (Debian zlib1g-dev, libsnappy-dev, liblz4-dev,
# libzstd-dev): decompress_records, for clients reading compressed topics.
pkg_check_modules(RINGLOG_CODECS REQUIRED IMPORTED_TARGET zlib snappy liblz4 libzstd)
target_link_libraries(ringlog_engine PRIVATE PkgConfig::RINGLOG_CODECS)

# isa-l (Debian libisal-dev) provides the fastest CRC-32C here (crc32_iscsi, ~62 GB/s vs ~30 GB/s
# for our own three-way SSE4.2 loop); without it crc32c.cc falls back to that loop.
find_library(RINGLOG_ISAL_LIBRARY NAMES isal)
find_path(RINGLOG_ISAL_INCLUDE_DIR NAMES isa-l/crc.h)
if(RINGLOG_ISAL_LIBRARY AND RINGLOG_ISAL_INCLUDE_DIR)
  target_link_libraries(ringlog_engine PUBLIC ${RINGLOG_ISAL_LIBRARY})
  target_include_directories(ringlog_engine PRIVATE ${RINGLOG_ISAL_INCLUDE_DIR})
  set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/crc32c.cc TARGET_DIRECTORY ringlog_engine
    APPEND PROPERTY COMPILE_DEFINITIONS
    RINGLOG_HAVE_ISAL=1)
else()
  message(STATUS "isa-l not found: CRC-32C uses the built-in SSE4.2 implementation")
endif()
