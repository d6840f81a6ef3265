/*
 * postmap - build, query and update lookup tables (see postmap(1)).
 */
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "exits.h"
#include "log.h"
#include "maps.h"
#include "maps_cmd.h"

#define USAGE	"postmap [-c config_dir] [-fNnrsvw] [-i] [-q key | -d key] " \
		"[type:]file..."

/* set_mode - one of -i, -q, -d, -s; a second one is a usage error */
static void
set_mode(int *mode, int c)
{
	if (*mode != 0 && *mode != c)
		die_usage(USAGE);
	*mode = c;
}

int
main(int argc, char **argv)
{
	struct map_cmd	 cmd = { 0, 0, MAP_DUP_WARN };
	const char	*dir = NULL, *key = NULL;
	int		 c, mode = 0, status = EX_OK;

	die_set_progname(argv[0]);
	log_set_stderr(1);	/* warnings go to the user, and the log */
	while ((c = getopt(argc, argv, "c:d:fiNnq:rsvw")) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 'd':
		case 'q':
			set_mode(&mode, c);
			key = optarg;
			break;
		case 'f':
			cmd.flags |= MAP_NOFOLD;
			break;
		case 'i':
		case 's':
			set_mode(&mode, c);
			break;
		case 'N':
			cmd.flags |= MAP_NUL;
			break;
		case 'n':
			cmd.flags &= ~MAP_NUL;
			break;
		case 'r':
			cmd.dup = MAP_DUP_REPLACE;
			break;
		case 'v':
			log_set_debug(1);
			break;
		case 'w':
			cmd.dup = MAP_DUP_IGNORE;
			break;
		default:
			die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		die_usage(USAGE);
	cfg_load(dir);

	switch (mode) {
	case 'q':
		status = map_cmd_query(&cmd, key, argv, argc);
		break;
	case 'd':
		status = map_cmd_delete(&cmd, key, argv, argc);
		break;
	case 's':
		status = map_cmd_dump(&cmd, argv, argc);
		break;
	default:
		for (int i = 0; i < argc && status == EX_OK; i++)
			status = map_cmd_build(&cmd, argv[i], mode == 'i');
		break;
	}
	return status;
}
