using System.Text;
using Totallator.Grains.Jobs.Command;

namespace Totallator.Tests.Unit.Jobs;

[Trait("Category", "Unit")]
public sealed class BoundedOutputBufferTests
{
    private static BoundedOutputBuffer Fill(int maxBytes, string text, int chunkSize)
    {
        var buffer = new BoundedOutputBuffer(maxBytes);
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < bytes.Length; i += chunkSize)
        {
            buffer.Append(bytes.AsSpan(i, Math.Min(chunkSize, bytes.Length - i)));
        }
        return buffer;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void ToString_ReturnsEverything_WhenWithinTheLimit(int chunkSize)
    {
        Assert.Equal("line 1\nline 2\n", Fill(64, "line 1\nline 2\n", chunkSize).ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1000)]
    public void ToString_KeepsHeadAndTail_WhateverTheChunkSizes(int chunkSize)
    {
        var text = Fill(10, "0123456789abcdefghij", chunkSize).ToString();

        Assert.Equal("01234\n[... 10 bytes of output dropped ...]\nfghij", text);
    }

    [Fact]
    public void ToString_CutsOnCharacterBoundaries_WhenACutSplitsAMultiByteCharacter()
    {
        // Nine two-byte characters; head 3 bytes and tail 3 bytes each hold one whole character and one half.
        var text = Fill(6, "ééééééééé", 4).ToString();

        Assert.Equal("é\n[... 14 bytes of output dropped ...]\né", text);
        Assert.Equal(18, Fill(6, "ééééééééé", 4).TotalBytes);
    }
}
