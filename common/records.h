/* records.h - the names of what nestbench-work prints, shared by the side that writes
 * the records (workloads/) and the sides that read them (the agent passes them on in
 * a run reply's "records"; the harness and the result library fold them into the
 * result file).  Format: workloads/README.md, "Records".  Plain macros: the static
 * workload binary links no JSON library. */
#ifndef NB_RECORDS_H
#define NB_RECORDS_H

/* The member every record has, naming its type. */
#define NB_REC_TYPE_KEY "type"

/* `run`: one meta record per case, a rep record per repetition (warm-up included, with
 * "warmup": true), skip or error records instead, and one end record. */
#define NB_RECTYPE_META "meta"
#define NB_RECTYPE_REP "rep"
#define NB_RECTYPE_SKIP "skip"
#define NB_RECTYPE_ERROR "error"
#define NB_RECTYPE_END "end"
/* `serve`: once, after setup, before the first command. */
#define NB_RECTYPE_READY "ready"
/* `cases`, `list --json`, `info --json`. */
#define NB_RECTYPE_CASE "case"
#define NB_RECTYPE_WORKLOAD "workload"
#define NB_RECTYPE_INFO "info"

/* A workload's and a case's "better": how its unit improves. */
#define NB_BETTER_LOWER "lower"     /* time-like: ns/op, ns/load ... */
#define NB_BETTER_HIGHER "higher"   /* throughput: MB/s, IOPS */

#endif
