# Sources of ringlog_net's Kafka codec (included by net/CMakeLists.txt). The message structs are
# generated at build time from the schema definitions in schema/ by gen/generate.py (Python 3,
# standard library only) into <build>/net/generated/net/kafka/messages/.

# One file per API (plus the consumer protocol payloads); adding one here is all it takes.
set(RINGLOG_KAFKA_SCHEMAS
  produce fetch list_offsets metadata api_versions create_topics delete_topics delete_records
  offset_for_leader_epoch describe_configs alter_configs incremental_alter_configs
  create_partitions describe_cluster
  offset_commit offset_fetch find_coordinator join_group heartbeat leave_group sync_group
  describe_groups list_groups delete_groups offset_delete init_producer_id
  consumer_protocol)

find_package(Python3 3.9 REQUIRED COMPONENTS Interpreter)

set(ringlog_kafka_gen_root ${CMAKE_CURRENT_BINARY_DIR}/generated)
set(ringlog_kafka_gen_dir ${ringlog_kafka_gen_root}/net/kafka/messages)
set(ringlog_kafka_schema_files)
set(ringlog_kafka_generated
  ${ringlog_kafka_gen_dir}/api_schemas.h
  ${ringlog_kafka_gen_dir}/all_messages.h
  ${ringlog_kafka_gen_dir}/all_messages.cc
  ${ringlog_kafka_gen_dir}/samples.h)
foreach(stem IN LISTS RINGLOG_KAFKA_SCHEMAS)
  list(APPEND ringlog_kafka_schema_files ${CMAKE_CURRENT_LIST_DIR}/schema/${stem}.schema)
  list(APPEND ringlog_kafka_generated ${ringlog_kafka_gen_dir}/${stem}.h
    ${ringlog_kafka_gen_dir}/${stem}.cc)
endforeach()

add_custom_command(
  OUTPUT ${ringlog_kafka_generated}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/gen/generate.py
    --out-dir ${ringlog_kafka_gen_root} ${ringlog_kafka_schema_files}
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/gen/generate.py ${ringlog_kafka_schema_files}
  COMMENT "Generating Kafka message codecs from net/kafka/schema/"
  VERBATIM)

target_sources(ringlog_net PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/api_key.cc
  ${CMAKE_CURRENT_LIST_DIR}/api_versions.cc
  ${CMAKE_CURRENT_LIST_DIR}/consumer_protocol.cc
  ${CMAKE_CURRENT_LIST_DIR}/decode_error.cc
  ${CMAKE_CURRENT_LIST_DIR}/error_code.cc
  ${CMAKE_CURRENT_LIST_DIR}/headers.cc
  ${CMAKE_CURRENT_LIST_DIR}/reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/request_dispatch.cc
  ${CMAKE_CURRENT_LIST_DIR}/writer.cc
  ${ringlog_kafka_generated})
target_include_directories(ringlog_net PUBLIC ${ringlog_kafka_gen_root})
