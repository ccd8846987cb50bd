//! Listing photos: the type is decided by the bytes, not the name; the upload is kept privately
//! as received (with its SHA-256); the public copies are re-encoded, which drops EXIF (so a
//! farm's GPS position never leaves the platform), after turning the picture the way the phone
//! held it.

use crate::error::{CatalogError, Result};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// Largest side accepted (refuses decompression bombs before decoding).
pub const MAX_SIDE: u32 = 8000;
/// Photos per listing.
pub const MAX_IMAGES_PER_LISTING: usize = 9;

const DISPLAY_SIDE: u32 = 1280;
const THUMB_SIDE: u32 = 480;

/// What the bytes say they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    WebP,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::WebP => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::WebP => "webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::Png => ImageFormat::Png,
            Kind::WebP => ImageFormat::WebP,
        }
    }
}

/// Sniffs the magic bytes. Anything else — a PDF, an HTML file renamed `.jpg`, a GIF — is not an
/// image we accept.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Kind::WebP)
    } else {
        None
    }
}

/// The public copies of an upload.
#[derive(Clone, Debug)]
pub struct Processed {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    /// JPEG, at most 1280 px a side.
    pub display: Vec<u8>,
    /// JPEG, at most 480 px a side.
    pub thumb: Vec<u8>,
}

/// Checks and re-encodes an upload. CPU work: call it from `spawn_blocking`.
pub fn process(bytes: &[u8]) -> Result<Processed> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CatalogError::ImageTooLarge);
    }
    let kind = sniff(bytes).ok_or(CatalogError::UnsupportedImage)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(&e))?;
    // Read the orientation before decoding: the public copies carry no EXIF to say it.
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(&e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let (width, height) = (img.width(), img.height());
    let display = encode_jpeg(&fit(&img, DISPLAY_SIDE), 82)?;
    let thumb = encode_jpeg(&fit(&img, THUMB_SIDE), 78)?;
    Ok(Processed {
        kind,
        width,
        height,
        display,
        thumb,
    })
}

fn decode_error(e: &image::ImageError) -> CatalogError {
    match e {
        image::ImageError::Limits(_) => CatalogError::ImageTooLarge,
        // Truncated or corrupt files claiming to be images.
        _ => CatalogError::UnsupportedImage,
    }
}

fn fit(img: &DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        img.clone()
    } else {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    }
}

/// JPEG has no transparency: flatten onto white first.
fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let rgba = img.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (x, y, p) in rgba.enumerate_pixels() {
        let a = u16::from(p[3]);
        let blend = |c: u8| u8::try_from((u16::from(c) * a + 255 * (255 - a)) / 255).unwrap_or(255);
        rgb.put_pixel(x, y, image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])]));
    }
    let mut out = Vec::new();
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .map_err(|e| CatalogError::Image(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 80, 255])
        });
        let mut out = Vec::new();
        let _ = img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
        out
    }

    #[test]
    fn the_bytes_decide_the_type_not_the_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Kind::Jpeg));
        assert_eq!(sniff(&png(2, 2)), Some(Kind::Png));
        assert_eq!(sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 "), Some(Kind::WebP));
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
    }

    #[test]
    fn a_large_photo_gets_a_display_copy_and_a_thumbnail_as_jpeg() {
        let Ok(p) = process(&png(2000, 1000)) else {
            panic!("a valid PNG processes")
        };
        assert_eq!((p.width, p.height), (2000, 1000));
        let display = image::load_from_memory(&p.display).map(|i| (i.width(), i.height()));
        let thumb = image::load_from_memory(&p.thumb).map(|i| (i.width(), i.height()));
        assert_eq!(display.ok(), Some((1280, 640)));
        assert_eq!(thumb.ok(), Some((480, 240)));
        assert_eq!(sniff(&p.display), Some(Kind::Jpeg));
    }

    #[test]
    fn junk_claiming_to_be_an_image_is_refused() {
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(b"not really a png");
        assert!(matches!(
            process(&fake),
            Err(CatalogError::UnsupportedImage)
        ));
        assert!(matches!(
            process(b"hello"),
            Err(CatalogError::UnsupportedImage)
        ));
        assert!(matches!(
            process(&vec![0u8; MAX_UPLOAD_BYTES + 1]),
            Err(CatalogError::ImageTooLarge)
        ));
    }
}
