/* Generates two questions offline with the installed C library. */
#include <mcqgen/mcqgen.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    static char document[1 << 20];
    FILE* file = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (!file) return 2;
    const size_t length = fread(document, 1, sizeof document, file);
    fclose(file);

    mcqgen_config config;
    mcqgen_generator* gen = NULL;
    mcqgen_storage* storage = NULL;
    mcqgen_run_result result = MCQGEN_RUN_RESULT_INIT;
    mcqgen_run_options options = MCQGEN_RUN_OPTIONS_INIT;
    options.count = 2;
    if (mcqgen_abi_version() != MCQGEN_ABI_VERSION) return 1;
    mcqgen_config_init(&config, MCQGEN_CONFIG_VERSION);
    config.offline = 1;
    if (mcqgen_generator_create(&gen, &config) != MCQGEN_OK ||
        mcqgen_storage_create_memory(&storage) != MCQGEN_OK ||
        mcqgen_generate(&result, gen, document, length, storage, &options) != MCQGEN_OK) {
        fprintf(stderr, "%s\n", mcqgen_last_error());
        return 1;
    }
    printf("C %s: %s\n", mcqgen_version(), result.message);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
    return result.status == MCQGEN_TEST_COMPLETED ? 0 : 1;
}
