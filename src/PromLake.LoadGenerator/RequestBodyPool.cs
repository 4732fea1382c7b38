using System.Threading.Channels;

namespace PromLake.LoadGenerator;

/// <summary>
/// All prepared bodies, handed out first-in first-out so that a body is only ever in one sender's hands.
/// </summary>
/// <remarks>
/// Holding a body is what makes its series safe to send: nobody else can send those series until the response comes
/// back, and the next holder stamps the next rounds. Because bodies return to the back of the queue, all bodies cycle
/// at the same pace and the fleet's rounds advance together, as a real Prometheus's shards do (a receiver such as
/// Prometheus rejects samples far behind the newest it has seen, so series must not drift apart in time).
/// </remarks>
internal sealed class RequestBodyPool
{
    private readonly Channel<PreparedBody> _idle = Channel.CreateUnbounded<PreparedBody>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private RequestBodyPool(IReadOnlyList<PreparedBody> bodies)
    {
        Bodies = bodies;
        foreach (var body in bodies)
        {
            _idle.Writer.TryWrite(body);
        }
    }

    public IReadOnlyList<PreparedBody> Bodies { get; }

    /// <summary>Encodes, compresses and verifies every batch of the workload, on all cores since nothing else runs yet.</summary>
    public static RequestBodyPool Prepare(ScrapeWorkload workload, RequestFactory factory)
    {
        var bodies = new PreparedBody[workload.Batches.Count];
        Parallel.For(0, bodies.Length, i => bodies[i] = PreparedBody.Prepare(i, workload.Batches[i], factory));
        return new RequestBodyPool(bodies);
    }

    public ValueTask<PreparedBody> CheckOutAsync(CancellationToken cancellationToken) => _idle.Reader.ReadAsync(cancellationToken);

    public void Return(PreparedBody body) => _idle.Writer.TryWrite(body);
}
