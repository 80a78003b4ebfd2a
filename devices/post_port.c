/* The POST port: records what firmware and guests write to port 0x80. */
#include <string.h>

#include "devices/post_port.h"

void post_port_init(struct post_port *post)
{
	memset(post, 0, sizeof(*post));
}

static uint32_t post_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	const struct post_port *post = opaque;

	(void)offset;
	(void)size;
	return 0xFFFFFF00U | post->last;
}

static void post_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct post_port *post = opaque;

	(void)offset;
	(void)size;
	post->last = (uint8_t)value;
	post->history[post->writes % POST_HISTORY] = post->last;
	post->writes++;
}

const struct io_device_ops post_port_io_ops = {
    .read = post_io_read,
    .write = post_io_write,
};

uint8_t post_port_last(const struct post_port *post)
{
	return post->last;
}

uint64_t post_port_writes(const struct post_port *post)
{
	return post->writes;
}

uint8_t post_port_recent(const struct post_port *post, unsigned i)
{
	if (i >= POST_HISTORY || i >= post->writes)
		return 0;
	return post->history[(post->writes - 1 - i) % POST_HISTORY];
}
