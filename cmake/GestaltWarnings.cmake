# One INTERFACE target carries the warning set, the strict Qt defines and the sanitizer flags.
add_library(gestalt_warnings INTERFACE)
target_compile_options(gestalt_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wcast-align -Wformat=2 -Wundef -Wimplicit-fallthrough -Wnull-dereference
    $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
    $<$<BOOL:${GESTALT_WERROR}>:-Werror>)
target_compile_definitions(gestalt_warnings INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER QT_STRICT_ITERATORS QT_NO_KEYWORDS QT_NO_FOREACH
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)
if(GESTALT_SANITIZE)
    target_compile_options(gestalt_warnings INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(gestalt_warnings INTERFACE -fsanitize=address,undefined)
endif()
if(GESTALT_FUZZ)
    target_compile_options(gestalt_warnings INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined -g -O1)
    target_link_options(gestalt_warnings INTERFACE -fsanitize=address,undefined)
endif()
