/* write.c - one report out: its destination, its buffer, its format.
 * Context: AS-safe (the dump coordinator's signal handler): one buffer
 * mapped at the first report (a static one when no memory can be had). */
#include "report/report.h"
#include "report/part.h"
#include "report/sink.h"
#include "base/bounds.h"
#include "base/config.h"
#include "base/out.h"
#include "base/runtime.h"
#include "symbols/symbols.h"

#include <sys/mman.h>

static char out_static[CD_OUT_FALLBACK];
static char *out_buf;
static size_t out_cap;

static void out_reserve(void)
{
	if (out_buf)
		return;
	void *p = mmap(NULL, CD_OUT_BUFFER, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		out_buf = out_static;
		out_cap = sizeof out_static;
	} else {
		out_buf = p;
		out_cap = CD_OUT_BUFFER;
	}
}

void cd_report_write(const struct cd_dump_view *v)
{
	struct cd_sink sink;
	struct cd_out o;
	out_reserve();
	cd_sink_open(&cd_cfg, cd_exe_base(), &sink);
	cd_out_init(&o, sink.fd, out_buf, out_cap);
	if (sink.why[0]) {
		cd_out_text(&o, sink.why);
		cd_out_eol(&o);
	}
	cd_symbols_begin_report();
	if (cd_cfg.format == CD_FORMAT_JSON)
		cd_report_json(&o, v);
	else
		cd_report_text(&o, v);
	cd_out_flush(&o);
	cd_sink_close(&sink);
}
