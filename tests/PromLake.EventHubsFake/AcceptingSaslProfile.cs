using Amqp;
using Amqp.Sasl;
using Amqp.Types;

namespace PromLake.EventHubsFake;

/// <summary>
///   A server-side SASL mechanism that accepts any sasl-init. The broker registers it as MSSBCBS,
///   the mechanism the Event Hubs client insists on (it refuses a server that offers only
///   ANONYMOUS; the token itself arrives later on $cbs), and as PLAIN, so that any user name and
///   password will do for other AMQP clients.
/// </summary>
internal sealed class AcceptingSaslProfile(string mechanism) : SaslProfile(mechanism)
{
    public const string CbsMechanism = "MSSBCBS";
    public const string PlainMechanism = "PLAIN";

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    // Only the client side of SASL starts an exchange; a listener never asks for this.
    protected override DescribedList GetStartCommand(string hostname) =>
        throw new NotSupportedException("The fake broker only answers SASL.");

    protected override DescribedList OnCommand(DescribedList command) => command switch
    {
        SaslInit => new SaslOutcome { Code = SaslCode.Ok },
        _ => throw new AmqpException("amqp:not-allowed", $"Unexpected SASL frame {command}."),
    };
}
