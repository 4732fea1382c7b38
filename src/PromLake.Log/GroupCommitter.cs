using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace PromLake.Log;

/// <summary>
/// Group commit for one shard. At most one commit is in flight; every publisher
/// that appended while it ran is covered by the next one. A commit ends in
/// synchronous disk writes (the segment pages and the commit record), so sharing
/// them is what lets hundreds of concurrent requests a second each wait for
/// durability without each paying for a disk flush of its own.
/// </summary>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private readonly string _name;
    private readonly Func<Task<long>> _commit;

    // Capacity one: a request already waiting covers everyone who asks after it,
    // because the commit it starts reads the log's tail only once it has been taken.
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Task _loop;
    private TaskCompletionSource _nextCommit = NewRound();
    private long _committedUntil;
    private long _commitCount;
    private ExceptionDispatchInfo? _failure;

    /// <param name="name">Names the log in errors, e.g. "shard 3".</param>
    /// <param name="committedUntil">The address up to which the log is already durable.</param>
    /// <param name="commit">Makes everything appended so far durable, returning the address it is durable up to.</param>
    public GroupCommitter(string name, long committedUntil, Func<Task<long>> commit)
    {
        _name = name;
        _committedUntil = committedUntil;
        _commit = commit;
        _loop = Task.Run(RunAsync);
    }

    public long CommittedUntil => Volatile.Read(ref _committedUntil);

    public long CommitCount => Volatile.Read(ref _commitCount);

    /// <summary>Completes once everything before <paramref name="untilAddress"/> is durable.</summary>
    public async ValueTask WaitForCommitAsync(long untilAddress, CancellationToken cancellationToken)
    {
        _requests.Writer.TryWrite(true);
        while (true)
        {
            // The round is read before the address is checked: a commit finishing in
            // between completes this round, so its wake-up cannot be missed.
            var round = Volatile.Read(ref _nextCommit);
            if (Volatile.Read(ref _committedUntil) >= untilAddress)
            {
                return;
            }

            Volatile.Read(ref _failure)?.Throw();
            await round.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the commit still requested, if any, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var requests = _requests.Reader;
        while (await requests.WaitToReadAsync().ConfigureAwait(false))
        {
            requests.TryRead(out _);
            try
            {
                var committedUntil = await _commit().ConfigureAwait(false);
                InterlockedMax(ref _committedUntil, committedUntil);
                Interlocked.Increment(ref _commitCount);
                Interlocked.Exchange(ref _nextCommit, NewRound()).TrySetResult();
            }
            catch (Exception e)
            {
                // The log's durable state is now unknown, and after a failed fsync the
                // kernel may have dropped the unwritten pages, so a retry could report
                // success for events that are gone. Fail this and every later publish.
                var failure = new IOException($"The log's {_name} could not make appended events durable; it accepts none until restarted", e);
                Volatile.Write(ref _failure, ExceptionDispatchInfo.Capture(failure));
                Interlocked.Exchange(ref _nextCommit, NewRound()).TrySetException(failure);
                return;
            }
        }
    }

    private static TaskCompletionSource NewRound() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
