using Amqp;
using Amqp.Framing;

namespace PromLake.EventHubsFake;

/// <summary>
///   Claims-based security ($cbs). The client puts a SAS token before it opens any link; the fake
///   accepts every token. The client reads status-code as an int and accepts 200 or 202.
/// </summary>
internal static class CbsNode
{
    public const string Address = "$cbs";

    public static Message Answer(Message request)
    {
        var operation = request.ApplicationProperties?["operation"] as string;
        var accepted = operation == "put-token";
        return new Message
        {
            ApplicationProperties = new ApplicationProperties
            {
                ["status-code"] = accepted ? 202 : 400,
                ["status-description"] = accepted ? "Accepted" : $"Unsupported $cbs operation '{operation}'.",
            },
        };
    }
}
