/*
 * queue-run - the scheduler: deliver what is in the queue, retry what
 * cannot be delivered yet, bounce what cannot be delivered at all.
 */
#include <stdlib.h>
#include <unistd.h>

#include "exits.h"
#include "qmgr.h"

#define USAGE	"queue-run [-c DIR] [-f]"

int
main(int argc, char **argv)
{
	struct qmgr_opts o = {NULL, 0};
	int		 ch;

	die_set_progname(argv[0]);
	while ((ch = getopt(argc, argv, "c:f")) != -1) {
		switch (ch) {
		case 'c':
			o.config_dir = optarg;
			break;
		case 'f':
			o.once = 1;
			break;
		default:
			die_usage(USAGE);
		}
	}
	if (optind != argc)
		die_usage(USAGE);
	return qmgr_run(&o);
}
