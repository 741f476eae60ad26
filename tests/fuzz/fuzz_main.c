/*
 * A libFuzzer-free driver for the fuzz targets, so `make check` exercises
 * them: runs the target over the files named on the command line, then over
 * pseudo-random inputs (FUZZ_ITERATIONS, default 200000) built to look like
 * kRPC bytes often enough to reach deep code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint32_t fuzz_seed = 20261127;

static uint32_t
fuzz_rand(void)
{
	fuzz_seed ^= fuzz_seed << 13;
	fuzz_seed ^= fuzz_seed >> 17;
	fuzz_seed ^= fuzz_seed << 5;
	return fuzz_seed;
}

/* Runs the target over one file. */
static int
fuzz_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t common[] = { 0x0a, 0x12, 0x1a, 0x08, 0x10, 0x18, 0x00, 0x01, 0x80, 0xff };
	uint8_t buf[512];
	const char *env = getenv("FUZZ_ITERATIONS");
	long i, iterations = env ? atol(env) : 200000;
	size_t len, j;
	int failed = 0;

	for (i = 1; i < argc; i++)
		failed |= fuzz_file(argv[i]);
	for (i = 0; i < iterations; i++) {
		len = fuzz_rand() % sizeof buf;
		for (j = 0; j < len; j++) {
			uint32_t r = fuzz_rand();

			buf[j] = (r & 3) == 0 ? common[(r >> 8) % sizeof common] :
			    (r & 7) == 1 ? (uint8_t)(len - j) : (uint8_t)(r >> 16);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz: %ld inputs, no crash\n", iterations);
	return failed;
}
