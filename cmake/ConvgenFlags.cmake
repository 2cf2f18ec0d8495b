# Compiler flags shared by convgen's own builds (the main project and the random-sweep sub-project).
option(CONVGEN_SANITIZE "Build everything with -fsanitize=address,undefined" OFF)
option(CONVGEN_WERROR "Treat compiler warnings as errors" ON)

add_compile_options(-Wall -Wextra -Wpedantic -Wconversion -Wshadow)
if(CONVGEN_WERROR)
  add_compile_options(-Werror)
endif()
if(CONVGEN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
