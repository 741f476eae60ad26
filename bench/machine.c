/*
 * The machine the figures were measured on, read from the system itself:
 * CPU model, online cores, memory, kernel, load averages and the date.
 */
#include "config.h"

#include <sys/utsname.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The value of the first "key : value" line of a /proc file starting with key. */
static bool
machine_proc_field(const char *path, const char *key, char *out, size_t len)
{
	char line[512], *colon, *end;
	FILE *f;
	bool found = false;

	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, strlen(key)) != 0 || (colon = strchr(line, ':')) == NULL)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		if ((end = strchr(colon, '\n')) != NULL)
			*end = '\0';
		snprintf(out, len, "%s", colon);
		found = true;
	}
	fclose(f);
	return found;
}

/* The load averages now. */
void
machine_load(char *out, size_t len)
{
	double a, b, c;
	FILE *f;

	snprintf(out, len, "unknown");
	if ((f = fopen("/proc/loadavg", "r")) == NULL)
		return;
	if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
		snprintf(out, len, "%.2f %.2f %.2f", a, b, c);
	fclose(f);
}

/* Describes the machine. */
void
machine_read(struct machine *m)
{
	struct utsname u;
	char mem[64];
	unsigned long kib;
	time_t now = time(NULL);
	struct tm tm;

	memset(m, 0, sizeof *m);
	if (!machine_proc_field("/proc/cpuinfo", "model name", m->cpu, sizeof m->cpu) &&
	    !machine_proc_field("/proc/cpuinfo", "Hardware", m->cpu, sizeof m->cpu) &&
	    !machine_proc_field("/proc/cpuinfo", "cpu model", m->cpu, sizeof m->cpu))
		snprintf(m->cpu, sizeof m->cpu, "unknown");
	m->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(m->kernel, sizeof m->kernel, "unknown");
	snprintf(m->memory, sizeof m->memory, "unknown");
	if (machine_proc_field("/proc/meminfo", "MemTotal", mem, sizeof mem) &&
	    sscanf(mem, "%lu", &kib) == 1)
		snprintf(m->memory, sizeof m->memory, "%.1f GiB", (double)kib / (1024.0 * 1024.0));
	machine_load(m->load_before, sizeof m->load_before);
	snprintf(m->load_after, sizeof m->load_after, "%s", m->load_before);
	gmtime_r(&now, &tm);
	strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M UTC", &tm);
}
