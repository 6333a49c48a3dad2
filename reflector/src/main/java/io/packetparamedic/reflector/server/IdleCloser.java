package io.packetparamedic.reflector.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.packetparamedic.reflector.wire.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a connection on which no complete frame arrived within the idle timeout. */
@ChannelHandler.Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(IdleCloser.class);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.info(
                    "event=idle_timeout remote={}",
                    Addresses.format(ctx.channel().remoteAddress()));
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
