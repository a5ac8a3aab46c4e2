/*
 * prime.c: a C reference for exp's primes kernel (experiment/prime.go), to
 * tell how far Go's code generation and exp's runner are from plain C.
 *
 * It counts the primes in [START, START+COUNT) (default [10^13, 10^13+1000),
 * the seed program's range) on one thread, doing exactly the divisions exp
 * does: 2 and the odd divisors d = 3, 5, 7, ... up to floor(sqrt(x)), with
 * floor(sqrt(x)) by integer Newton iteration as exp's ISqrt; 32-bit
 * division when x fits in 32 bits, 64-bit division otherwise (so all of
 * the default range takes the 64-bit path, as in exp).
 *
 * Output: one line "COUNT SECONDS", SECONDS being the wall time of the
 * counting loop on CLOCK_MONOTONIC (process start-up excluded, as exp
 * excludes it from a trial).
 *
 *   gcc -O2 -o prime bench/ref/prime.c && ./prime [START [COUNT]]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* isqrt returns floor(sqrt(x)) with integers only: Newton's method started
 * from 2^ceil(bits(x)/2) >= sqrt(x), which decreases to the floor. */
static uint64_t isqrt(uint64_t x)
{
	if (x < 2)
		return x;
	int len = 64 - __builtin_clzll(x);
	uint64_t r = (uint64_t)1 << ((len + 1) / 2);
	for (;;) {
		uint64_t next = (r + x / r) / 2;
		if (next >= r)
			return r;
		r = next;
	}
}

static int is_prime(uint64_t x)
{
	if (x < 2)
		return 0;
	if (x == 2)
		return 1;
	if (x % 2 == 0)
		return 0;
	uint64_t limit = isqrt(x);
	if (x <= 0xFFFFFFFFu) {
		uint32_t x32 = (uint32_t)x, lim32 = (uint32_t)limit;
		for (uint32_t d = 3; d <= lim32; d += 2)
			if (x32 % d == 0)
				return 0;
		return 1;
	}
	for (uint64_t d = 3; d <= limit; d += 2)
		if (x % d == 0)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t start = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000000000ULL;
	uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t primes = 0;
	for (uint64_t i = 0; i < count; i++)
		primes += is_prime(start + i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%" PRIu64 " %.9f\n", primes, s);
	return 0;
}
