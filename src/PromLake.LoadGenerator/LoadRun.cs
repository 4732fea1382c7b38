using System.Diagnostics;

namespace PromLake.LoadGenerator;

/// <summary>
/// The timed part: <c>concurrency</c> senders, each with one request in flight, loop over the body pool for the
/// warm-up and then the measured window (a duration, a request count, or whichever ends first).
/// </summary>
/// <remarks>
/// A request belongs to the phase in which it starts, and requests in flight when the window closes are allowed to
/// finish and are counted, so nothing is cut off half-way and the window ends at the last completion. The generator's
/// CPU time over that window is reported so one can see that it is not what limits the throughput.
/// </remarks>
internal sealed class LoadRun(LoadOptions options, ScrapeWorkload workload, RequestBodyPool pool, RemoteWriteSender sender)
{
    private long _measuredRequestsStarted;

    public async Task<LoadResult> RunAsync(double preparationSeconds)
    {
        var frequency = Stopwatch.Frequency;
        var startedAt = Stopwatch.GetTimestamp();
        var measureFrom = startedAt + (long)(options.WarmupSeconds * frequency);
        var measureUntil = options.DurationSeconds is { } seconds ? measureFrom + (long)(seconds * frequency) : long.MaxValue;

        var warmups = new RequestTally[options.Concurrency];
        var measured = new RequestTally[options.Concurrency];
        var senders = new Task[options.Concurrency];
        for (var i = 0; i < senders.Length; i++)
        {
            var warmup = warmups[i] = new RequestTally();
            var tally = measured[i] = new RequestTally();
            senders[i] = Task.Run(() => SendLoopAsync(warmup, tally, measureFrom, measureUntil));
        }

        // The CPU clock is read when the measured window opens, by a timer rather than by a sender, so that no sender waits.
        var cpuAtMeasureStart = await CpuTimeAtAsync(measureFrom).ConfigureAwait(false);
        await Task.WhenAll(senders).ConfigureAwait(false);
        var cpuAtEnd = ProcessCpuSeconds();

        var lastCompletedAt = measured.Max(static t => t.LastCompletedAt);
        var measuredSeconds = lastCompletedAt > measureFrom ? (lastCompletedAt - measureFrom) / (double)frequency : 0;
        static Dictionary<string, long> FailuresOf(IEnumerable<RequestTally> tallies) => tallies
            .SelectMany(static t => t.Failures)
            .GroupBy(static f => f.Key, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.Sum(static f => f.Value), StringComparer.Ordinal);

        var messages = measured.Concat(warmups)
            .SelectMany(static t => t.FirstFailureMessages)
            .GroupBy(static m => m.Key, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Value, StringComparer.Ordinal);

        var maxUses = pool.Bodies.Max(static b => b.Uses);
        var useStrideMs = options.SamplesPerSeries * workload.Timeline.IntervalMs;
        return new LoadResult
        {
            Options = options,
            Workload = workload,
            Pool = pool,
            PreparationSeconds = preparationSeconds,
            WarmupRequests = warmups.Sum(static t => t.Requests),
            MeasuredSeconds = measuredSeconds,
            Requests = measured.Sum(static t => t.Requests),
            Succeeded = measured.Sum(static t => t.Succeeded),
            SamplesSent = measured.Sum(static t => t.SamplesSent),
            SamplesAccepted = measured.Sum(static t => t.SamplesAccepted),
            BytesSent = measured.Sum(static t => t.BytesSent),
            Failures = FailuresOf(measured),
            WarmupFailures = FailuresOf(warmups),
            FirstFailureMessages = messages,
            Latency = LatencyRecorder.Merge(measured.Select(static t => t.Latencies)),
            GeneratorCpuSeconds = cpuAtEnd - cpuAtMeasureStart,
            TimelineEndMs = workload.Timeline.StartMs + (maxUses * useStrideMs),
        };
    }

    private async Task SendLoopAsync(RequestTally warmup, RequestTally measured, long measureFrom, long measureUntil)
    {
        while (true)
        {
            var body = await pool.CheckOutAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                var now = Stopwatch.GetTimestamp();
                var isMeasured = now >= measureFrom;
                if (isMeasured && (now >= measureUntil || !TryStartMeasuredRequest()))
                {
                    return;
                }

                var bytes = body.StampNextUse();
                var sentAt = Stopwatch.GetTimestamp();
                var outcome = await sender.SendAsync(bytes, CancellationToken.None).ConfigureAwait(false);
                var completedAt = Stopwatch.GetTimestamp();
                (isMeasured ? measured : warmup).Record(outcome, completedAt - sentAt, completedAt, body.SampleCount, bytes.Length);
            }
            finally
            {
                // The next holder re-stamps the bytes in place. Once a response has arrived the receiver has read the
                // whole body, except when it answered early with an error: then the connection is being abandoned anyway.
                pool.Return(body);
            }
        }
    }

    private bool TryStartMeasuredRequest() =>
        options.Requests is not { } limit || Interlocked.Increment(ref _measuredRequestsStarted) <= limit;

    private static async Task<double> CpuTimeAtAsync(long stopwatchTimestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), stopwatchTimestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }

        return ProcessCpuSeconds();
    }

    private static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}
