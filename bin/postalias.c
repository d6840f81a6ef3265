/*
 * postalias - build, query and update alias databases (see postalias(1)).
 */
#include "exits.h"
#include "maps_cmd.h"

#define USAGE	"postalias [-c config_dir] [-fNnorsvw] [-i] [-q key | -d key] " \
		"[type:]file..."

int
main(int argc, char **argv)
{
	die_set_progname(argv[0]);
	return map_cmd_main(argc, argv, 1, USAGE);
}
