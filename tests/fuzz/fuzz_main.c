/*
 * A libFuzzer-free driver for the fuzz targets, so `make check` exercises
 * them: runs the target over its committed seed corpus (FUZZ_CORPUS, a
 * directory) and the files named on the command line, then over
 * pseudo-random inputs ($FUZZ_ITERATIONS, default FUZZ_DEFAULT_ITERATIONS)
 * built to look like kRPC bytes often enough to reach deep code.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_DEFAULT_ITERATIONS
#define FUZZ_DEFAULT_ITERATIONS	200000
#endif

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

/* Runs the target over every file of a directory; the count of files. */
static long
fuzz_dir(const char *dir, int *failed)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	long n = 0;

	if (d == NULL) {
		perror(dir);
		*failed = 1;
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		*failed |= fuzz_file(path);
		n++;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	static const uint8_t common[] = { 0x0a, 0x12, 0x1a, 0x08, 0x10, 0x18, 0x00, 0x01, 0x80, 0xff };
	uint8_t buf[512];
	const char *env = getenv("FUZZ_ITERATIONS");
	long i, seeds = 0, iterations = env ? atol(env) : FUZZ_DEFAULT_ITERATIONS;
	size_t len, j;
	int failed = 0;

#ifdef FUZZ_CORPUS
	seeds = fuzz_dir(FUZZ_CORPUS, &failed);
#endif
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
	printf("fuzz: %ld seed files and %ld generated inputs, no crash\n", seeds, iterations);
	return failed;
}
