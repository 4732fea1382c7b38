using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace PromLake.EventHubsFake;

/// <summary>
///   A request/response node such as $cbs or $management (AMQP Management draft). The client attaches
///   a sending link with target = node for requests, and a receiving link with source = node whose
///   target is a private address; every request names that address as reply-to, and the response
///   carries correlation-id = the request's message-id.
/// </summary>
internal sealed class RequestResponseNode(string address, Func<Message, Message> answer, Func<TimeSpan> replyDelay)
{
    private const int RequestCredit = 50;

    public string Address { get; } = address;

    public void Attach(AttachContext context, ClientConnection connection)
    {
        // attach.Role is the client's role: true when the client receives on this link.
        if (context.Attach.Role)
        {
            if (context.Attach.Target is not Target { Address: { Length: > 0 } replyTo })
            {
                context.Complete(new Error("amqp:invalid-field") { Description = $"A response link on {Address} needs a target address." });
                return;
            }

            connection.AddResponseLink(replyTo, context.Link);
            context.Complete(new ResponseLink(connection, replyTo), 0);
            return;
        }

        context.Complete(new RequestLink(this, connection), RequestCredit);
    }

    private void Answer(MessageContext request, ClientConnection connection)
    {
        var message = request.Message;
        if (message.Properties is not { ReplyTo: { } replyTo } requestProperties
            || !connection.TryGetResponseLink(replyTo, out var responseLink))
        {
            request.Complete(new Error("amqp:not-found") { Description = $"No response link is attached for reply-to '{message.Properties?.ReplyTo}'." });
            return;
        }

        var response = answer(message);
        response.Properties ??= new Properties();
        response.Properties.SetCorrelationId(requestProperties.GetMessageId());
        request.Complete();

        var delay = replyDelay();
        if (delay <= TimeSpan.Zero)
        {
            Respond(responseLink, response);
            return;
        }

        _ = Task.Delay(delay).ContinueWith(_ => Respond(responseLink, response), TaskScheduler.Default);
    }

    private static void Respond(ListenerLink responseLink, Message response)
    {
        try
        {
            responseLink.SendMessage(response);
        }
        catch (AmqpException)
        {
            // The client went away while the answer was delayed; nobody is waiting for it.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class RequestLink(RequestResponseNode node, ClientConnection connection) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext) => node.Answer(messageContext, connection);

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }
    }

    private sealed class ResponseLink(ClientConnection connection, string replyTo) : LinkEndpoint
    {
        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }

        public override void OnLinkClosed(ListenerLink link, Error error) => connection.RemoveResponseLink(replyTo, link);
    }
}
