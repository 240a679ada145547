# brokrpc_generate(TARGET <target> PROTOS <a.proto> ... [IMPORT_DIRS <dir> ...] [OUT_DIR <dir>]
#                  [PLUGIN_OPTIONS <k=v,...>] [MOCKS])
#
# Runs protoc with --cpp_out and the brokrpc plugin over each .proto, adds the generated
# <name>.pb.{h,cc} and <name>.brokrpc.pb.{h,cc} to <target>, puts OUT_DIR on its include path and
# links BrokRPC::runtime. <name> is the proto's path relative to the first IMPORT_DIR that holds
# it (default import dir: the proto's own directory). The brokrpc option protos
# (brokrpc/spec/v1/*.proto) are always importable; PLUGIN_OPTIONS go to --brokrpc-cpp_opt.
# protoc writes a depfile, so editing an imported .proto regenerates its importers.
# MOCKS passes mocks=true: each proto also gets <name>.brokrpc.mock.h (a gMock Mock<Service>Stub per
# service); the target that includes it links gMock itself (find_package(GTest), GTest::gmock).
#
# Works in the brokrpc build tree, in a parent project that add_subdirectory()s brokrpc (or gets it
# with FetchContent), and from a package (find_package(BrokRPC), installed or a build tree), where
# BROKRPC_PROTO_DIR and BROKRPC_PLUGIN_TARGET are set by BrokRPCConfig.cmake.
# Remembered globally: in an add_subdirectory(brokrpc) / FetchContent parent, the variables set
# in brokrpc's directory are not visible where brokrpc_generate() is called.
if(BROKRPC_PROTO_DIR)
  set_property(GLOBAL PROPERTY BROKRPC_PROTO_DIR "${BROKRPC_PROTO_DIR}")
endif()
if(BROKRPC_PLUGIN_TARGET)
  set_property(GLOBAL PROPERTY BROKRPC_PLUGIN_TARGET "${BROKRPC_PLUGIN_TARGET}")
endif()

function(brokrpc_generate)
  cmake_parse_arguments(ARG "MOCKS" "TARGET;OUT_DIR;PLUGIN_OPTIONS" "PROTOS;IMPORT_DIRS" ${ARGN})
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "brokrpc_generate: TARGET is required")
  endif()
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "brokrpc_generate: PROTOS is required")
  endif()
  if(NOT TARGET protobuf::protoc)
    message(FATAL_ERROR "brokrpc_generate: protoc not found (find_package(Protobuf) first)")
  endif()
  if(NOT BROKRPC_PROTO_DIR)
    get_property(BROKRPC_PROTO_DIR GLOBAL PROPERTY BROKRPC_PROTO_DIR)
  endif()
  if(NOT BROKRPC_PLUGIN_TARGET)
    get_property(BROKRPC_PLUGIN_TARGET GLOBAL PROPERTY BROKRPC_PLUGIN_TARGET)
  endif()
  if(NOT BROKRPC_PROTO_DIR OR NOT EXISTS "${BROKRPC_PROTO_DIR}/brokrpc/spec/v1/amqp.proto")
    message(FATAL_ERROR "brokrpc_generate: BROKRPC_PROTO_DIR ('${BROKRPC_PROTO_DIR}') does not "
                        "hold brokrpc/spec/v1/amqp.proto")
  endif()
  set(plugin_target "${BROKRPC_PLUGIN_TARGET}")
  if(NOT plugin_target)
    set(plugin_target BrokRPC::protoc-gen-brokrpc-cpp)
  endif()
  if(NOT ARG_OUT_DIR)
    set(ARG_OUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/brokrpc_gen")
  endif()
  get_filename_component(out_dir "${ARG_OUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

  set(import_dirs)
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    get_filename_component(abs "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND import_dirs "${abs}")
  endforeach()

  # --brokrpc-cpp_opt rather than "OPTIONS:DIR", which would split a value holding ':'.
  set(plugin_params "${ARG_PLUGIN_OPTIONS}")
  if(ARG_MOCKS)
    if(plugin_params)
      string(APPEND plugin_params ",")
    endif()
    string(APPEND plugin_params "mocks=true")
  endif()
  set(plugin_opt)
  if(plugin_params)
    set(plugin_opt "--brokrpc-cpp_opt=${plugin_params}")
  endif()

  set(generated)
  foreach(proto IN LISTS ARG_PROTOS)
    get_filename_component(abs_proto "${proto}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs_proto}")
      message(FATAL_ERROR "brokrpc_generate: ${proto} not found (looked at ${abs_proto})")
    endif()
    set(root "")
    foreach(dir IN LISTS import_dirs)
      file(RELATIVE_PATH rel "${dir}" "${abs_proto}")
      if(NOT rel MATCHES "^\\.\\./")
        set(root "${dir}")
        break()
      endif()
    endforeach()
    if(NOT root)
      get_filename_component(root "${abs_proto}" DIRECTORY)
    endif()
    file(RELATIVE_PATH rel "${root}" "${abs_proto}")
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    set(outputs "${out_dir}/${stem}.pb.h" "${out_dir}/${stem}.pb.cc"
                "${out_dir}/${stem}.brokrpc.pb.h" "${out_dir}/${stem}.brokrpc.pb.cc")
    if(ARG_MOCKS)
      list(APPEND outputs "${out_dir}/${stem}.brokrpc.mock.h")
    endif()
    set(include_flags -I "${root}")
    foreach(dir IN LISTS import_dirs)
      if(NOT dir STREQUAL root)
        list(APPEND include_flags -I "${dir}")
      endif()
    endforeach()
    list(APPEND include_flags -I "${BROKRPC_PROTO_DIR}")
    # protoc lists the imported .proto files in a depfile, so editing one regenerates its
    # importers (where the generator supports DEPFILE).
    set(depfile_flag)
    set(depfile_args)
    if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles" OR CMAKE_VERSION VERSION_GREATER_EQUAL 3.21)
      set(depfile "${out_dir}/${stem}.brokrpc.d")
      set(depfile_flag "--dependency_out=${depfile}")
      set(depfile_args DEPFILE "${depfile}")
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
      COMMAND protobuf::protoc ${include_flags}
              "--plugin=protoc-gen-brokrpc-cpp=$<TARGET_FILE:${plugin_target}>"
              --cpp_out "${out_dir}" --brokrpc-cpp_out "${out_dir}" ${plugin_opt} ${depfile_flag}
              "${abs_proto}"
      DEPENDS "${abs_proto}" ${plugin_target} protobuf::protoc
      ${depfile_args}
      COMMENT "protoc + brokrpc: ${rel}"
      VERBATIM)
    list(APPEND generated ${outputs})
  endforeach()

  target_sources(${ARG_TARGET} PRIVATE ${generated})
  # Generated files define same-named file-local tables: never merged by a unity build.
  set_source_files_properties(${generated} TARGET_DIRECTORY ${ARG_TARGET}
                              PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  target_include_directories(${ARG_TARGET} PUBLIC "$<BUILD_INTERFACE:${out_dir}>")
  target_link_libraries(${ARG_TARGET} PUBLIC BrokRPC::runtime)
endfunction()
