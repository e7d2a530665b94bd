package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * What a message may carry beside its text (docs/protocol.md, {@code send}).
 *
 * @param maxAttachments WEFT_MAX_ATTACHMENTS: attachments one message may carry (default 10)
 * @param maxThumbnailBytes WEFT_MAX_THUMBNAIL_BYTES: largest thumbnail of an attachment, decoded (default 8192); a
 *     message and its thumbnails still fit WEFT_MAX_FRAME_BYTES
 */
public record ContentSettings(int maxAttachments, int maxThumbnailBytes) {

  static ContentSettings from(Env env) {
    return new ContentSettings(env.integer("WEFT_MAX_ATTACHMENTS", 10, 0, 100),
        env.integer("WEFT_MAX_THUMBNAIL_BYTES", 8192, 0, 1024 * 1024));
  }
}
