using System.Buffers;
using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace PromLake.EventHubsFake;

/// <summary>
///   One event as a publisher sent it: a complete AMQP message, encoded on its own. It is either a
///   whole transfer or one Data section of a batch envelope.
/// </summary>
internal sealed class EventMessage
{
    private static readonly Symbol PartitionKeyAnnotation = new("x-opt-partition-key");
    private static readonly Symbol SequenceNumberAnnotation = new("x-opt-sequence-number");
    private static readonly Symbol OffsetAnnotation = new("x-opt-offset");
    private static readonly Symbol EnqueuedTimeAnnotation = new("x-opt-enqueued-time");

    private readonly Message message;

    private EventMessage(int encodedSize, Message message)
    {
        EncodedSize = encodedSize;
        this.message = message;
        PartitionKey = message.MessageAnnotations?[PartitionKeyAnnotation] as string;
    }

    /// <summary>The size of the message as the publisher encoded it; offsets advance by this much.</summary>
    public int EncodedSize { get; }

    public string? PartitionKey { get; }

    /// <summary>Decodes a message from bytes the caller gives up: the decoded sections keep referring to them.</summary>
    public static EventMessage Decode(byte[] encoded)
    {
        var message = Message.Decode(new ByteBuffer(encoded, 0, encoded.Length, encoded.Length));
        return new EventMessage(encoded.Length, message);
    }

    public ReadOnlyMemory<byte> Body()
    {
        switch (message.BodySection)
        {
            case Data data:
                return data.Binary;
            case DataList sections:
                var joined = new ArrayBufferWriter<byte>();
                for (var i = 0; i < sections.Count; i++)
                {
                    joined.Write(sections[i].Binary);
                }

                return joined.WrittenMemory;
            case AmqpValue { Value: byte[] bytes }:
                return bytes;
            default:
                return ReadOnlyMemory<byte>.Empty;
        }
    }

    public IReadOnlyDictionary<string, object?> Properties()
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (message.ApplicationProperties is { } applicationProperties)
        {
            foreach (var (key, value) in applicationProperties.Map)
            {
                properties[key.ToString() ?? string.Empty] = value;
            }
        }

        return properties;
    }

    /// <summary>
    ///   Encodes the message as a consumer receives it: the publisher's sections (delivery annotations
    ///   are per hop and are dropped) plus the annotations the client reads its system properties from.
    ///   The client casts x-opt-offset to string and accepts a long sequence number and a timestamp.
    /// </summary>
    public byte[] EncodeForDelivery(long sequenceNumber, string offset, DateTime enqueuedTimeUtc)
    {
        var annotations = new MessageAnnotations();
        if (message.MessageAnnotations is { } sent)
        {
            foreach (var (key, value) in sent.Map)
            {
                annotations[key] = value;
            }
        }

        annotations[SequenceNumberAnnotation] = sequenceNumber;
        annotations[OffsetAnnotation] = offset;
        annotations[EnqueuedTimeAnnotation] = enqueuedTimeUtc;

        var delivered = new Message
        {
            Header = message.Header,
            MessageAnnotations = annotations,
            Properties = message.Properties,
            ApplicationProperties = message.ApplicationProperties,
            BodySection = message.BodySection,
            Footer = message.Footer,
        };

        var encoded = delivered.Encode();
        return encoded.Buffer.AsSpan(encoded.Offset, encoded.Length).ToArray();
    }
}
