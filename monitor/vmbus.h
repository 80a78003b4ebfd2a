/* The channel manager of one partition (the VID's channel side): offers, GPADLs, open/close, VSPs. */
#ifndef MONITOR_VMBUS_H
#define MONITOR_VMBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/abi/hv_vmbus.h>
#include <hv/hv.h>
#include <hv/synic.h>

#include "devices/line_sink.h"
#include "devices/vsp.h"
#include "devices/vsp_block.h"
#include "devices/vsp_console.h"
#include "monitor/page_alloc.h"

/*
 * The protocol is the subset in hv_vmbus.h, explained in docs/channels.md. The manager owns a
 * message port on HV_VMBUS_MESSAGE_CONNECTION_ID and one event port per channel
 * (VMBUS_EVENT_CONNECTION_BASE + relid); libhv calls them while it handles the child's
 * HvCallPostMessage / HvCallSignalEvent inside hv_vp_run(). Every message and every ring is
 * hostile: a bad message gets a status (or, where the protocol has no answer, is dropped) and a
 * log line; a broken ring or packet closes that channel only (RESCIND_OFFER to the child).
 *
 * Replies go into the child's SINT HV_VMBUS_SINT slot. libhv holds one waiting message per SINT;
 * beyond that the manager queues them (VMBUS_QUEUE_MAX) and retries whenever it runs: on the
 * child's next message or signal, and in vmbus_poll(), which the run loop calls after each exit
 * (the child frees its slot with an EOM, which libhv handles without an exit). When the queue
 * cannot take a message's replies, the child's HvCallPostMessage gets INSUFFICIENT_BUFFERS and
 * it tries again later.
 */
#define VMBUS_CHANNELS_MAX          4U
#define VMBUS_QUEUE_MAX             16U
#define VMBUS_EVENT_CONNECTION_BASE 0x1000U /* + relid: the offer's connection_id */
#define VMBUS_LOG_MAX               32U     /* refusals logged per partition, then a last line */
#define VMBUS_NAME_MAX              32U

struct vmbus;

enum vmbus_channel_state {
	VMBUS_CHANNEL_OFFERED = 0, /* offered (or ready to be); not open */
	VMBUS_CHANNEL_OPEN,        /* rings attached: signals run the VSP */
	VMBUS_CHANNEL_RESCINDED,   /* closed by the monitor after an error: for good */
};

/* The ring pages a child described with GPADL_HEADER, checked and translated. */
struct vmbus_gpadl {
	bool valid;
	uint32_t id;
	uint32_t page_count;
	hv_hpa_t hpa[HV_VMBUS_GPADL_MAX_PAGES];
};

struct vmbus_channel {
	struct vmbus *bus;
	uint32_t relid;
	uint32_t connection_id;
	uint32_t device;           /* enum hv_vmbus_device */
	uint32_t max_packet;       /* for the offer */
	uint64_t capacity;         /* for the offer */
	char name[VMBUS_NAME_MAX]; /* "console", "block:disk.img" */
	enum vmbus_channel_state state;
	struct vmbus_gpadl gpadl;
	const struct vsp_ops *ops;
	void *vsp;
	struct vsp_channel io; /* the VSP's view while open */
	struct vsp_counters counters;
	uint64_t signals_ignored; /* signals while not open */
	uint64_t opens;
};

/* One queued control message toward the child. */
struct vmbus_outgoing {
	uint32_t size;
	uint8_t payload[240];
};

struct vmbus_config {
	struct hv_partition *partition;
	struct hv_vp *vp; /* where replies and signals go (target_vp is not used: one VP) */
	const char *name; /* the partition's, for log lines and the console greeting */
	/* The monitor's pointer to host memory (the monitor: identity; tests: the fake host). */
	void *(*hpa_to_hva)(hv_hpa_t hpa);
};

struct vmbus {
	struct vmbus_config cfg;
	char name[VMBUS_NAME_MAX + 1];
	struct page_alloc *pages; /* where this struct and the disk copy came from */
	uint64_t self_hpa;
	size_t self_pages;
	bool attached;  /* ports created */
	bool contacted; /* INITIATE_CONTACT with our version seen */

	struct vmbus_channel channels[VMBUS_CHANNELS_MAX];
	uint32_t nchannels;

	struct vmbus_outgoing queue[VMBUS_QUEUE_MAX];
	uint32_t queue_head, queue_count;

	uint64_t messages_in, messages_out, messages_refused;
	uint32_t logged;
	bool synic_logged;

	/* The monitor's two VSPs (vmbus_add_console / vmbus_add_block). */
	struct vsp_console console;
	struct vsp_block block;
	bool has_console, has_block;
	uint64_t disk_hpa;
	size_t disk_pages;
};

/*
 * A manager for one partition, allocated (zeroed) from `pages`. NULL when memory is short or an
 * argument is missing. Nothing is reachable by the child until vmbus_attach().
 */
struct vmbus *vmbus_create(struct page_alloc *pages, const struct vmbus_config *config);

/*
 * Add a channel served by `ops`/`vsp`: its relid is the next number from 1, its connection ID
 * VMBUS_EVENT_CONNECTION_BASE + relid. Returns the relid, or -ENOSPC / -EINVAL. Before attach.
 */
int vmbus_add_channel(struct vmbus *vb, uint32_t device, const char *name,
                      const struct vsp_ops *ops, void *vsp, uint32_t max_packet, uint64_t capacity);

/* The synthetic console, printing through `sink` (the partition's COM1 sink). */
int vmbus_add_console(struct vmbus *vb, struct line_sink *sink);

/*
 * The synthetic block device over a copy of `image` (`size` bytes, > 0) in monitor memory; its
 * last sector is padded with zeros. `name` (the module's) goes into the channel's name. One per
 * partition (-EEXIST for a second); -ENOMEM when the copy does not fit.
 */
int vmbus_add_block(struct vmbus *vb, const void *image, size_t size, const char *name);

/* Create the ports: the child can talk to the channels from now on. 0, or -EIO (logged). */
int vmbus_attach(struct vmbus *vb);

/* Retry the queued replies (after each exit; cheap when nothing waits). */
void vmbus_poll(struct vmbus *vb);

/* Close every open channel, free the disk copy and the manager itself. NULL is fine. */
void vmbus_destroy(struct vmbus *vb);

/* What moved, kept after the partition ends for the summary. */
struct vmbus_channel_stats {
	char name[VMBUS_NAME_MAX];
	uint64_t opens;
	bool rescinded;
	struct vsp_counters counters;
};
struct vmbus_stats {
	uint64_t messages_in, messages_out, messages_refused;
	uint32_t nchannels;
	struct vmbus_channel_stats channels[VMBUS_CHANNELS_MAX];
	struct vsp_counters total; /* the channels added up */
};

/* Copy the counters out (zeroes for a NULL manager). */
void vmbus_get_stats(const struct vmbus *vb, struct vmbus_stats *out);

/*
 * The summary's lines, each starting with `prefix`: nothing when the child never posted a
 * channel message; else one line of totals and one per channel that was opened.
 */
void vmbus_print_stats(const struct vmbus_stats *s, const char *prefix);

/* The channel with this relid, or NULL. */
struct vmbus_channel *vmbus_channel(struct vmbus *vb, uint32_t relid);

#endif
