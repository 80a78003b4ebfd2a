/* The channel manager of one partition: the control protocol, GPADL checks, rings, VSP dispatch. */
#include <string.h>

#include "monitor/vmbus.h"

#include "monitor/console.h"
#include "monitor/lib/errno.h"
#include "monitor/lib/format.h"

#define RING_PAGES_MIN 2U /* a header page and at least one data page */
#define PFN_MAX        (UINT64_MAX >> HV_PAGE_SHIFT)

static const char *message_name(uint32_t type)
{
	switch (type) {
	case HV_VMBUS_REQUEST_OFFERS: return "REQUEST_OFFERS";
	case HV_VMBUS_OPEN_CHANNEL: return "OPEN_CHANNEL";
	case HV_VMBUS_CLOSE_CHANNEL: return "CLOSE_CHANNEL";
	case HV_VMBUS_GPADL_HEADER: return "GPADL_HEADER";
	case HV_VMBUS_GPADL_TEARDOWN: return "GPADL_TEARDOWN";
	case HV_VMBUS_INITIATE_CONTACT: return "INITIATE_CONTACT";
	default: return "message";
	}
}

/*
 * A refusal, logged with the partition's name: a hostile child could send them without end, so
 * only the first VMBUS_LOG_MAX are printed.
 */
static void refuse(struct vmbus *vb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct vmbus *vb, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	vb->messages_refused++;
	if (vb->logged > VMBUS_LOG_MAX)
		return;
	if (vb->logged++ == VMBUS_LOG_MAX) {
		kprintf("monitor: partition %s: vmbus: further refusals are not logged\n",
		        vb->name);
		return;
	}
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kprintf("monitor: partition %s: vmbus: %s\n", vb->name, line);
}

/* ---- Messages toward the child ---- */

/* Try to hand the queued messages to libhv, oldest first; stop at the first it cannot take. */
static void flush_queue(struct vmbus *vb)
{
	while (vb->queue_count) {
		struct vmbus_outgoing *m = &vb->queue[vb->queue_head];
		hv_status_t st = hv_vp_post_message(vb->cfg.vp, HV_VMBUS_SINT,
		                                    HV_VMBUS_MESSAGE_TYPE, m->payload, m->size);

		if (st != HV_STATUS_SUCCESS) {
			/* A disabled SynIC or masked SINT: the replies wait until the child fixes it. */
			if (st != HV_STATUS_INSUFFICIENT_BUFFERS && !vb->synic_logged) {
				vb->synic_logged = true;
				kprintf(
				    "monitor: partition %s: vmbus: SINT %u cannot take messages "
				    "(%s): replies wait\n",
				    vb->name, HV_VMBUS_SINT, hv_status_name(st));
			}
			return;
		}
		vb->messages_out++;
		vb->queue_head = (vb->queue_head + 1) % VMBUS_QUEUE_MAX;
		vb->queue_count--;
	}
}

/* Queue one message (callers made sure there is room) and push what libhv can take. */
static void send_message(struct vmbus *vb, const void *msg, uint32_t size)
{
	struct vmbus_outgoing *m;

	if (vb->queue_count == VMBUS_QUEUE_MAX)
		monitor_panic("vmbus: reply queue overflow"); /* callers reserve room first */
	m = &vb->queue[(vb->queue_head + vb->queue_count) % VMBUS_QUEUE_MAX];
	m->size = size;
	memcpy(m->payload, msg, size);
	vb->queue_count++;
	flush_queue(vb);
}

static uint32_t queue_room(const struct vmbus *vb)
{
	return VMBUS_QUEUE_MAX - vb->queue_count;
}

/* ---- Channels ---- */

struct vmbus_channel *vmbus_channel(struct vmbus *vb, uint32_t relid)
{
	if (relid == 0 || relid > vb->nchannels)
		return NULL;
	return &vb->channels[relid - 1];
}

static void close_channel(struct vmbus_channel *ch)
{
	if (ch->state != VMBUS_CHANNEL_OPEN)
		return;
	ch->ops->on_close(ch->vsp);
	ch->state = VMBUS_CHANNEL_OFFERED;
	memset(&ch->io.in, 0, sizeof(ch->io.in));
	memset(&ch->io.out, 0, sizeof(ch->io.out));
}

/* The monitor closes a channel for good: the VSP found its ring or a packet unacceptable. */
static void rescind(struct vmbus_channel *ch, enum vsp_result why)
{
	struct vmbus *vb = ch->bus;
	struct hv_vmbus_rescind msg = {
	    .header = {.type = HV_VMBUS_RESCIND_OFFER},
	    .child_relid = ch->relid,
	    .reason =
	        why == VSP_RING_CORRUPT ? HV_VMBUS_RESCIND_CORRUPT_RING : HV_VMBUS_RESCIND_PROTOCOL,
	};

	close_channel(ch);
	ch->state = VMBUS_CHANNEL_RESCINDED;
	kprintf("monitor: partition %s: channel %u (%s): %s: closed\n", vb->name, ch->relid,
	        ch->name, vsp_result_name(why));
	/* The queue may be full of replies the child never takes: the rescind is then lost,
	 * which only the child (that stopped listening) can notice. */
	if (queue_room(vb))
		send_message(vb, &msg, sizeof(msg));
}

static void signal_child(void *opaque)
{
	struct vmbus_channel *ch = opaque;
	hv_status_t st = hv_vp_signal_event(ch->bus->cfg.vp, HV_VMBUS_SINT, ch->relid, NULL);

	if (st != HV_STATUS_SUCCESS && !ch->bus->synic_logged) {
		ch->bus->synic_logged = true;
		kprintf("monitor: partition %s: vmbus: cannot signal channel %u: %s\n",
		        ch->bus->name, ch->relid, hv_status_name(st));
	}
}

/* HvCallSignalEvent on the channel's connection: the VSP takes what the rings hold. */
static void on_event(void *opaque, uint32_t connection_id, uint16_t flag)
{
	struct vmbus_channel *ch = opaque;
	enum vsp_result r;

	(void)connection_id;
	(void)flag;
	ch->counters.signals_in++;
	flush_queue(ch->bus);
	if (ch->state != VMBUS_CHANNEL_OPEN) {
		ch->signals_ignored++;
		return;
	}
	r = ch->ops->on_packets(ch->vsp, &ch->io);
	if (r != VSP_OK)
		rescind(ch, r);
}

/* ---- The control messages from the child ---- */

static void handle_contact(struct vmbus *vb, const uint8_t *buf, uint32_t size)
{
	struct hv_vmbus_initiate_contact in;
	struct hv_vmbus_version_response out = {.header = {.type = HV_VMBUS_VERSION_RESPONSE}};

	memcpy(&in, buf, sizeof(in));
	out.supported = size >= sizeof(in) && in.version == HV_VMBUS_VERSION;
	if (!out.supported) {
		refuse(vb, "INITIATE_CONTACT for version %#x (%u bytes): not supported", in.version,
		       size);
	} else {
		/* A new session (a rebooted driver): every channel starts again, closed and bare. */
		for (uint32_t i = 0; i < vb->nchannels; i++) {
			close_channel(&vb->channels[i]);
			vb->channels[i].gpadl.valid = false;
		}
		vb->contacted = true;
	}
	send_message(vb, &out, sizeof(out));
}

static void handle_request_offers(struct vmbus *vb)
{
	struct hv_vmbus_header done = {.type = HV_VMBUS_ALL_OFFERS_DELIVERED};

	if (!vb->contacted) {
		refuse(vb, "REQUEST_OFFERS before INITIATE_CONTACT: dropped");
		return;
	}
	for (uint32_t i = 0; i < vb->nchannels; i++) {
		const struct vmbus_channel *ch = &vb->channels[i];
		struct hv_vmbus_offer offer = {
		    .header = {.type = HV_VMBUS_OFFER_CHANNEL},
		    .device = ch->device,
		    .child_relid = ch->relid,
		    .connection_id = ch->connection_id,
		    .max_packet = ch->max_packet,
		    .capacity = ch->capacity,
		};

		if (ch->state == VMBUS_CHANNEL_RESCINDED)
			continue;
		memcpy(offer.name, ch->name, sizeof(offer.name));
		offer.name[sizeof(offer.name) - 1] = '\0';
		send_message(vb, &offer, sizeof(offer));
	}
	send_message(vb, &done, sizeof(done));
}

/* Every page RAM the child may read and write; the host addresses kept for OPEN_CHANNEL. */
static hv_status_t check_gpadl(struct vmbus *vb, const struct hv_vmbus_gpadl_header *in,
                               uint32_t size, struct vmbus_gpadl *out, const char **why)
{
	const uint32_t rw = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;

	if (in->page_count == 0 || in->page_count > HV_VMBUS_GPADL_MAX_PAGES) {
		*why = "page count out of range";
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (size < offsetof(struct hv_vmbus_gpadl_header, pfn) + in->page_count * 8U) {
		*why = "message shorter than its page list";
		return HV_STATUS_INVALID_PARAMETER;
	}
	for (uint32_t i = 0; i < in->page_count; i++) {
		uint32_t flags = 0;
		hv_hpa_t hpa;

		if (in->pfn[i] > PFN_MAX) {
			*why = "a page number wraps the address space";
			return HV_STATUS_INVALID_PARAMETER;
		}
		if (hv_gpa_translate(vb->cfg.partition, in->pfn[i] << HV_PAGE_SHIFT, &hpa,
		                     &flags) != HV_STATUS_SUCCESS ||
		    (flags & rw) != rw) {
			*why = "a page is not the child's writable RAM";
			return HV_STATUS_ACCESS_DENIED;
		}
		out->hpa[i] = hpa;
	}
	out->page_count = in->page_count;
	out->id = in->gpadl_id;
	out->valid = true;
	return HV_STATUS_SUCCESS;
}

static void handle_gpadl_header(struct vmbus *vb, const uint8_t *buf, uint32_t size)
{
	struct hv_vmbus_gpadl_header in;
	struct hv_vmbus_gpadl_created out = {.header = {.type = HV_VMBUS_GPADL_CREATED}};
	struct vmbus_channel *ch;
	const char *why = "";
	struct vmbus_gpadl g = {0};

	memcpy(&in, buf, sizeof(in));
	out.child_relid = in.child_relid;
	out.gpadl_id = in.gpadl_id;
	ch = vmbus_channel(vb, in.child_relid);
	if (!vb->contacted) {
		why = "before INITIATE_CONTACT";
		out.status = HV_STATUS_OPERATION_DENIED;
	} else if (size < offsetof(struct hv_vmbus_gpadl_header, pfn)) {
		why = "message too short";
		out.status = HV_STATUS_INVALID_PARAMETER;
	} else if (!ch) {
		why = "no such channel";
		out.status = HV_STATUS_NOT_FOUND;
	} else if (ch->state == VMBUS_CHANNEL_RESCINDED) {
		why = "the channel was rescinded";
		out.status = HV_STATUS_OPERATION_DENIED;
	} else if (ch->gpadl.valid) {
		why = "the channel has a GPADL already";
		out.status = HV_STATUS_OPERATION_DENIED;
	} else {
		out.status = check_gpadl(vb, &in, size, &g, &why);
		if (out.status == HV_STATUS_SUCCESS)
			ch->gpadl = g;
	}
	if (out.status != HV_STATUS_SUCCESS)
		refuse(vb, "GPADL %u for channel %u refused: %s (%s)", in.gpadl_id, in.child_relid,
		       why, hv_status_name(out.status));
	send_message(vb, &out, sizeof(out));
}

/* Pages [first, first+count) of the GPADL, contiguous in host memory: one ring. */
static hv_status_t attach_ring(struct vmbus *vb, const struct vmbus_gpadl *g, uint32_t first,
                               uint32_t count, struct hv_ring *ring)
{
	for (uint32_t i = 1; i < count; i++)
		if (g->hpa[first + i] != g->hpa[first] + i * HV_PAGE_SIZE)
			return HV_STATUS_INVALID_PARAMETER;
	if (hv_ring_attach(ring, vb->cfg.hpa_to_hva(g->hpa[first]),
	                   vb->cfg.hpa_to_hva(g->hpa[first + 1]),
	                   (count - 1) * (uint32_t)HV_PAGE_SIZE) != HV_RING_OK)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

static void handle_open(struct vmbus *vb, const uint8_t *buf, uint32_t size)
{
	struct hv_vmbus_open_channel in;
	struct hv_vmbus_open_result out = {.header = {.type = HV_VMBUS_OPEN_RESULT}};
	struct vmbus_channel *ch;
	const char *why = "";

	memcpy(&in, buf, sizeof(in));
	out.child_relid = in.child_relid;
	out.open_id = in.open_id;
	ch = vmbus_channel(vb, in.child_relid);
	out.status = HV_STATUS_INVALID_PARAMETER;
	if (!vb->contacted) {
		why = "before INITIATE_CONTACT";
		out.status = HV_STATUS_OPERATION_DENIED;
	} else if (size < sizeof(in)) {
		why = "message too short";
	} else if (!ch) {
		why = "no such channel";
		out.status = HV_STATUS_NOT_FOUND;
	} else if (ch->state != VMBUS_CHANNEL_OFFERED) {
		why =
		    ch->state == VMBUS_CHANNEL_OPEN ? "already open" : "the channel was rescinded";
		out.status = HV_STATUS_OPERATION_DENIED;
	} else if (!ch->gpadl.valid || ch->gpadl.id != in.gpadl_id) {
		why = "no such GPADL on the channel";
		out.status = HV_STATUS_NOT_FOUND;
	} else if (in.send_pages < RING_PAGES_MIN ||
	           in.send_pages > ch->gpadl.page_count - RING_PAGES_MIN ||
	           ch->gpadl.page_count < 2 * RING_PAGES_MIN) {
		why = "each ring needs at least 2 pages";
	} else if (attach_ring(vb, &ch->gpadl, 0, in.send_pages, &ch->io.in) ||
	           attach_ring(vb, &ch->gpadl, in.send_pages, ch->gpadl.page_count - in.send_pages,
	                       &ch->io.out)) {
		why = "a ring's pages are not contiguous";
	} else {
		ch->io.signal = signal_child;
		ch->io.signal_opaque = ch;
		ch->io.counters = &ch->counters;
		out.status = ch->ops->on_open(ch->vsp, &ch->io);
		if (out.status == HV_STATUS_SUCCESS) {
			ch->state = VMBUS_CHANNEL_OPEN;
			ch->opens++;
		} else {
			why = "the device cannot use these rings";
		}
	}
	if (out.status != HV_STATUS_SUCCESS)
		refuse(vb, "OPEN_CHANNEL %u refused: %s (%s)", in.child_relid, why,
		       hv_status_name(out.status));
	send_message(vb, &out, sizeof(out));
}

static void handle_close(struct vmbus *vb, const uint8_t *buf, uint32_t size)
{
	struct hv_vmbus_close_channel in;
	struct vmbus_channel *ch;

	memcpy(&in, buf, sizeof(in));
	ch = vmbus_channel(vb, in.child_relid);
	if (size < sizeof(in) || !ch || ch->state != VMBUS_CHANNEL_OPEN) {
		/* A rescinded channel is closed already: the child's CLOSE is its acknowledgement. */
		if (!ch || ch->state != VMBUS_CHANNEL_RESCINDED)
			refuse(vb, "CLOSE_CHANNEL %u: %s: dropped", in.child_relid,
			       size < sizeof(in) ? "message too short"
			       : !ch             ? "no such channel"
			                         : "not open");
		return;
	}
	close_channel(ch);
}

static void handle_teardown(struct vmbus *vb, const uint8_t *buf, uint32_t size)
{
	struct hv_vmbus_gpadl_teardown in;
	struct vmbus_channel *ch;
	const char *why = NULL;

	memcpy(&in, buf, sizeof(in));
	ch = vmbus_channel(vb, in.child_relid);
	if (size < sizeof(in))
		why = "message too short";
	else if (!ch)
		why = "no such channel";
	else if (!ch->gpadl.valid || ch->gpadl.id != in.gpadl_id)
		why = "no such GPADL";
	else if (ch->state == VMBUS_CHANNEL_OPEN)
		why = "the channel is open on it";
	if (why) {
		refuse(vb, "GPADL_TEARDOWN %u of channel %u: %s: dropped", in.gpadl_id,
		       in.child_relid, why);
		return;
	}
	ch->gpadl.valid = false;
	in.header.type = HV_VMBUS_GPADL_TORNDOWN;
	in.header.reserved = 0;
	send_message(vb, &in, sizeof(in));
}

/* The most replies one message can cause (REQUEST_OFFERS: every offer, then the last one). */
static uint32_t replies_needed(const struct vmbus *vb, uint32_t type)
{
	return type == HV_VMBUS_REQUEST_OFFERS ? vb->nchannels + 1 : 1;
}

static hv_status_t on_message(void *opaque, uint32_t connection_id, uint32_t message_type,
                              const void *payload, uint32_t size)
{
	struct vmbus *vb = opaque;
	uint8_t buf[240] = {0}; /* zero beyond `size`: short messages read as zeros */
	struct hv_vmbus_header header;

	(void)connection_id;
	flush_queue(vb);
	if (size > sizeof(buf))
		size = sizeof(buf); /* libhv never passes more: belt and braces */
	memcpy(buf, payload, size);
	memcpy(&header, buf, sizeof(header));
	/* Room for every reply first: else the child tries again later (and nothing changed). */
	if (queue_room(vb) < replies_needed(vb, header.type))
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	vb->messages_in++;
	if (message_type != HV_VMBUS_MESSAGE_TYPE || size < sizeof(header)) {
		refuse(vb, "message of type %u and %u bytes: not a channel message: dropped",
		       message_type, size);
		return HV_STATUS_SUCCESS;
	}
	switch (header.type) {
	case HV_VMBUS_INITIATE_CONTACT: handle_contact(vb, buf, size); break;
	case HV_VMBUS_REQUEST_OFFERS: handle_request_offers(vb); break;
	case HV_VMBUS_GPADL_HEADER: handle_gpadl_header(vb, buf, size); break;
	case HV_VMBUS_OPEN_CHANNEL: handle_open(vb, buf, size); break;
	case HV_VMBUS_CLOSE_CHANNEL: handle_close(vb, buf, size); break;
	case HV_VMBUS_GPADL_TEARDOWN: handle_teardown(vb, buf, size); break;
	default:
		refuse(vb, "unknown %s number %u: dropped", message_name(header.type), header.type);
	}
	return HV_STATUS_SUCCESS;
}

/* ---- Life cycle ---- */

static size_t pages_for(uint64_t bytes)
{
	return (size_t)((bytes + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE);
}

struct vmbus *vmbus_create(struct page_alloc *pages, const struct vmbus_config *config)
{
	size_t npages = pages_for(sizeof(struct vmbus));
	struct vmbus *vb;
	uint64_t hpa;

	if (!pages || !config || !config->partition || !config->vp || !config->hpa_to_hva ||
	    !config->name)
		return NULL;
	hpa = page_alloc_pages(pages, npages, 1);
	if (!hpa)
		return NULL;
	vb = pages->phys_to_virt(hpa); /* zeroed by the allocator */
	vb->cfg = *config;
	vb->pages = pages;
	vb->self_hpa = hpa;
	vb->self_pages = npages;
	for (size_t i = 0; i < VMBUS_NAME_MAX && config->name[i]; i++)
		vb->name[i] = config->name[i];
	return vb;
}

int vmbus_add_channel(struct vmbus *vb, uint32_t device, const char *name,
                      const struct vsp_ops *ops, void *vsp, uint32_t max_packet, uint64_t capacity)
{
	struct vmbus_channel *ch;

	if (!vb || !ops || !name || vb->attached)
		return -EINVAL;
	if (vb->nchannels == VMBUS_CHANNELS_MAX)
		return -ENOSPC;
	ch = &vb->channels[vb->nchannels++];
	*ch = (struct vmbus_channel){
	    .bus = vb,
	    .relid = vb->nchannels,
	    .connection_id = VMBUS_EVENT_CONNECTION_BASE + vb->nchannels,
	    .device = device,
	    .max_packet = max_packet,
	    .capacity = capacity,
	    .ops = ops,
	    .vsp = vsp,
	};
	for (size_t i = 0; i + 1 < sizeof(ch->name) && name[i]; i++)
		ch->name[i] = name[i];
	return (int)ch->relid;
}

int vmbus_add_console(struct vmbus *vb, struct line_sink *sink)
{
	int rc;

	if (!vb || !sink || vb->has_console)
		return -EINVAL;
	vsp_console_init(&vb->console, sink, vb->name);
	rc = vmbus_add_channel(vb, HV_VMBUS_DEVICE_CONSOLE, "console", &vsp_console_ops,
	                       &vb->console, VSP_CONSOLE_MAX_PACKET, 0);
	vb->has_console = rc > 0;
	return rc < 0 ? rc : 0;
}

int vmbus_add_block(struct vmbus *vb, const void *image, size_t size, const char *name)
{
	char chname[VMBUS_NAME_MAX];
	uint64_t sectors = ((uint64_t)size + HV_BLOCK_SECTOR_SIZE - 1) / HV_BLOCK_SECTOR_SIZE;
	size_t npages = pages_for(size);
	uint64_t hpa;
	int rc;

	if (!vb || !image || !size || !name)
		return -EINVAL;
	if (vb->has_block)
		return -EEXIST;
	hpa = page_alloc_pages(vb->pages, npages, 1);
	if (!hpa)
		return -ENOMEM;
	/* The child works on this copy: its writes last as long as the partition. */
	memcpy(vb->pages->phys_to_virt(hpa), image, size);
	vsp_block_init(&vb->block, vb->pages->phys_to_virt(hpa), sectors);
	fmt_snprintf(chname, sizeof(chname), "block:%s", name);
	rc = vmbus_add_channel(vb, HV_VMBUS_DEVICE_BLOCK, chname, &vsp_block_ops, &vb->block,
	                       VSP_BLOCK_MAX_PACKET, sectors);
	if (rc < 0) {
		page_alloc_free(vb->pages, hpa, npages);
		return rc;
	}
	vb->has_block = true;
	vb->disk_hpa = hpa;
	vb->disk_pages = npages;
	return 0;
}

int vmbus_attach(struct vmbus *vb)
{
	struct hv_port_config port = {.connection_id = HV_VMBUS_MESSAGE_CONNECTION_ID,
	                              .type = HV_PORT_TYPE_MESSAGE,
	                              .on_message = on_message,
	                              .opaque = vb};
	hv_status_t st;
	uint32_t made = 0;

	if (!vb || vb->attached)
		return -EINVAL;
	st = hv_port_create(vb->cfg.partition, &port);
	for (; st == HV_STATUS_SUCCESS && made < vb->nchannels; made++) {
		port = (struct hv_port_config){.connection_id = vb->channels[made].connection_id,
		                               .type = HV_PORT_TYPE_EVENT,
		                               .on_event = on_event,
		                               .opaque = &vb->channels[made]};
		st = hv_port_create(vb->cfg.partition, &port);
		if (st != HV_STATUS_SUCCESS)
			break;
	}
	if (st != HV_STATUS_SUCCESS) {
		kprintf("monitor: partition %s: vmbus: port %#x: %s: no channels\n", vb->name,
		        port.connection_id, hv_status_name(st));
		/* Undo only what this call made: another user may own the connection that failed. */
		if (port.connection_id != HV_VMBUS_MESSAGE_CONNECTION_ID)
			hv_port_delete(vb->cfg.partition, HV_VMBUS_MESSAGE_CONNECTION_ID);
		for (uint32_t i = 0; i < made; i++)
			hv_port_delete(vb->cfg.partition, vb->channels[i].connection_id);
		return -EIO;
	}
	vb->attached = true;
	return 0;
}

static void detach(struct vmbus *vb)
{
	if (!vb->attached)
		return;
	hv_port_delete(vb->cfg.partition, HV_VMBUS_MESSAGE_CONNECTION_ID);
	for (uint32_t i = 0; i < vb->nchannels; i++)
		hv_port_delete(vb->cfg.partition, vb->channels[i].connection_id);
	vb->attached = false;
}

void vmbus_poll(struct vmbus *vb)
{
	if (vb && vb->queue_count)
		flush_queue(vb);
}

void vmbus_destroy(struct vmbus *vb)
{
	if (!vb)
		return;
	/* The ports point here: the child must not reach this memory once it is freed. */
	detach(vb);
	for (uint32_t i = 0; i < vb->nchannels; i++)
		close_channel(&vb->channels[i]);
	if (vb->disk_hpa)
		page_alloc_free(vb->pages, vb->disk_hpa, vb->disk_pages);
	page_alloc_free(vb->pages, vb->self_hpa, vb->self_pages);
}

/* ---- Counters ---- */

static void add_counters(struct vsp_counters *sum, const struct vsp_counters *c)
{
	sum->signals_in += c->signals_in;
	sum->signals_out += c->signals_out;
	sum->packets_in += c->packets_in;
	sum->bytes_in += c->bytes_in;
	sum->packets_out += c->packets_out;
	sum->bytes_out += c->bytes_out;
}

void vmbus_get_stats(const struct vmbus *vb, struct vmbus_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!vb)
		return;
	out->messages_in = vb->messages_in;
	out->messages_out = vb->messages_out;
	out->messages_refused = vb->messages_refused;
	out->nchannels = vb->nchannels;
	for (uint32_t i = 0; i < vb->nchannels; i++) {
		const struct vmbus_channel *ch = &vb->channels[i];
		struct vmbus_channel_stats *s = &out->channels[i];

		memcpy(s->name, ch->name, sizeof(s->name));
		s->opens = ch->opens;
		s->rescinded = ch->state == VMBUS_CHANNEL_RESCINDED;
		s->counters = ch->counters;
		add_counters(&out->total, &ch->counters);
	}
}

static void print_counters(const char *prefix, const char *what, const struct vsp_counters *c,
                           const char *tail)
{
	kprintf("%s%s%llu signal(s) in, %llu out; %llu packet(s) / %llu bytes in, %llu / %llu "
	        "bytes out%s\n",
	        prefix, what, (unsigned long long)c->signals_in, (unsigned long long)c->signals_out,
	        (unsigned long long)c->packets_in, (unsigned long long)c->bytes_in,
	        (unsigned long long)c->packets_out, (unsigned long long)c->bytes_out, tail);
}

void vmbus_print_stats(const struct vmbus_stats *s, const char *prefix)
{
	char what[96];

	if (!s->messages_in)
		return; /* never spoke to the channel manager */
	fmt_snprintf(what, sizeof(what), "channels: %llu message(s) in (%llu refused), %llu out; ",
	             (unsigned long long)s->messages_in, (unsigned long long)s->messages_refused,
	             (unsigned long long)s->messages_out);
	print_counters(prefix, what, &s->total, "");
	for (uint32_t i = 0; i < s->nchannels; i++) {
		const struct vmbus_channel_stats *c = &s->channels[i];

		if (!c->opens)
			continue;
		fmt_snprintf(what, sizeof(what), "  %s: ", c->name);
		print_counters(prefix, what, &c->counters, c->rescinded ? " (rescinded)" : "");
	}
}
