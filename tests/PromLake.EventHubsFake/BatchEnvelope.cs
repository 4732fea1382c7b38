using Amqp;
using Amqp.Framing;

namespace PromLake.EventHubsFake;

/// <summary>
///   Splits what a publisher transferred into the events it carries.
/// </summary>
internal static class BatchEnvelope
{
    /// <summary>
    ///   Event Hubs batch format: a transfer with this message-format is an envelope whose Data
    ///   sections each hold one complete, separately encoded AMQP message. The client sends a lone
    ///   event as a plain message (format 0) instead.
    /// </summary>
    public const uint MessageFormat = 0x80013700;

    /// <summary>Copies the events out of a transfer; the transfer's buffer may be reused once it is settled.</summary>
    public static List<EventMessage> Unpack(Message transfer)
    {
        if (transfer.Format != MessageFormat)
        {
            var encoded = transfer.Encode();
            return [EventMessage.Decode(encoded.Buffer.AsSpan(encoded.Offset, encoded.Length).ToArray())];
        }

        var events = new List<EventMessage>();
        switch (transfer.BodySection)
        {
            case Data single:
                events.Add(EventMessage.Decode(single.Binary));
                break;
            case DataList sections:
                for (var i = 0; i < sections.Count; i++)
                {
                    events.Add(EventMessage.Decode(sections[i].Binary));
                }

                break;
            default:
                throw new FormatException("A batch envelope must carry its events in Data sections.");
        }

        return events;
    }
}
