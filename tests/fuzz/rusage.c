/* Runs a command and writes its CPU time and peak memory (its own and its children's) to a file. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* usage: convgen_rusage REPORT COMMAND [ARGS...]
 * REPORT gets one line "USER_SECONDS SYSTEM_SECONDS MAX_RSS_KB STATUS", where STATUS is
 * the exit status, or 128 + the signal number. Exits with STATUS. */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s REPORT COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    if (waitpid(child, &status, 0) < 0) {
        perror("waitpid");
        return 2;
    }
    /* RUSAGE_CHILDREN covers the command and every descendant it waited for. */
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *report = fopen(argv[1], "w");
    if (!report) {
        perror(argv[1]);
        return 2;
    }
    fprintf(report, "%ld.%06ld %ld.%06ld %ld %d\n", (long)usage.ru_utime.tv_sec, (long)usage.ru_utime.tv_usec,
            (long)usage.ru_stime.tv_sec, (long)usage.ru_stime.tv_usec, usage.ru_maxrss, code);
    fclose(report);
    return code;
}
