/*
 * postmap - build, query and update lookup tables (see postmap(1)).
 */
#include "exits.h"
#include "maps_cmd.h"

#define USAGE	"postmap [-c config_dir] [-fNnorsvw] [-i] [-q key | -d key] " \
		"[type:]file..."

int
main(int argc, char **argv)
{
	die_set_progname(argv[0]);
	return map_cmd_main(argc, argv, 0, USAGE);
}
