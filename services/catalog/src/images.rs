//! Listing photos: the type is decided by the bytes, not the name; the upload is kept privately
//! as received (with its SHA-256); the public copies are re-encoded, which drops EXIF (so a
//! farm's GPS position never leaves the platform), after turning the picture the way the phone
//! held it.

use crate::error::{CatalogError, Result};
use farmgate_infra::limit::Limiter;
use farmgate_kernel::FieldError;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// Largest side accepted (refuses decompression bombs before decoding).
pub const MAX_SIDE: u32 = 8000;
/// Most pixels accepted (a 48-megapixel phone photo passes; an 8000×8000 bomb does not).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Most memory a decoded picture may take (16-bit channels count double): checked from the
/// header, before a byte of the picture is decoded.
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// Smallest side of a listing photo: shoppers see it 1280 px wide, and a speck (a 1×1
/// "photo") shows them nothing.
pub const MIN_PHOTO_SIDE: u32 = 200;
/// Smallest side of a review photo, claim evidence or a document picture: anything a phone
/// takes, but not a speck.
pub const MIN_EVIDENCE_SIDE: u32 = 16;
/// Photos per listing.
pub const MAX_IMAGES_PER_LISTING: usize = 9;

const DISPLAY_SIDE: u32 = 1280;
/// A card's picture: about 175 CSS px wide in a phone's two columns, so 360 px covers a 2×
/// screen; 480 px made a first screen of eight cards cost 105 KB on a slow link (#19's 150 KB
/// page budget, tests/browser/budgets.test.mjs).
const THUMB_SIDE: u32 = 360;
const THUMB_QUALITY: u8 = 76;

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

/// Checks and re-encodes an upload on the blocking pool, holding a slot of `limiter` (the
/// shared `image_decode` one): however many uploads arrive at once, only that many pictures
/// are in memory; the rest wait briefly or are answered `503 busy`.
pub async fn process_limited(
    limiter: &Limiter,
    bytes: bytes::Bytes,
    min_side: u32,
) -> Result<Processed> {
    limiter
        .run_blocking(move || process(&bytes, min_side))
        .await?
}

/// A picture of a document (a lab report, a certificate), re-encoded for publishing: EXIF and
/// every other metadata dropped, turned upright, at most [`DOCUMENT_SIDE`] px a side so the
/// small print stays legible.
#[derive(Clone, Debug)]
pub struct Document {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    /// JPEG.
    pub jpeg: Vec<u8>,
}

/// Longest side of a published document picture.
pub const DOCUMENT_SIDE: u32 = 2400;

/// As [`process_limited`], for a document picture.
pub async fn process_document_limited(limiter: &Limiter, bytes: bytes::Bytes) -> Result<Document> {
    limiter
        .run_blocking(move || process_document(&bytes))
        .await?
}

/// Checks and re-encodes a document picture. CPU work: call [`process_document_limited`].
pub fn process_document(bytes: &[u8]) -> Result<Document> {
    let (kind, img) = decode(bytes, MIN_EVIDENCE_SIDE)?;
    Ok(Document {
        kind,
        width: img.width(),
        height: img.height(),
        jpeg: encode_jpeg(&fit(&img, DOCUMENT_SIDE), 85)?,
    })
}

/// Checks and re-encodes an upload (refusing one under `min_side` px a side). CPU work: call
/// [`process_limited`] instead.
pub fn process(bytes: &[u8], min_side: u32) -> Result<Processed> {
    let (kind, img) = decode(bytes, min_side)?;
    let (width, height) = (img.width(), img.height());
    let display = encode_jpeg(&fit(&img, DISPLAY_SIDE), 82)?;
    let thumb = encode_jpeg(&fit(&img, THUMB_SIDE), THUMB_QUALITY)?;
    Ok(Processed {
        kind,
        width,
        height,
        display,
        thumb,
    })
}

/// Sniffs, checks the size from the header (refusing bombs and specks before decoding) and
/// decodes, turned the way the camera was held.
fn decode(bytes: &[u8], min_side: u32) -> Result<(Kind, DynamicImage)> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CatalogError::ImageTooLarge);
    }
    let kind = sniff(bytes).ok_or(CatalogError::UnsupportedImage)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(&e))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(CatalogError::ImageTooLarge);
    }
    if w.min(h) < min_side {
        return Err(CatalogError::Invalid(
            FieldError::new(
                "file",
                "image_too_small",
                format!("图片太小：边长至少 {min_side} 像素"),
                format!("the image is too small: at least {min_side} pixels a side"),
            )
            .into(),
        ));
    }
    // Read the orientation before decoding: the public copies carry no EXIF to say it.
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(&e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok((kind, img))
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
        let Ok(p) = process(&png(2000, 1000), MIN_PHOTO_SIDE) else {
            panic!("a valid PNG processes")
        };
        assert_eq!((p.width, p.height), (2000, 1000));
        let display = image::load_from_memory(&p.display).map(|i| (i.width(), i.height()));
        let thumb = image::load_from_memory(&p.thumb).map(|i| (i.width(), i.height()));
        assert_eq!(display.ok(), Some((1280, 640)));
        assert_eq!(thumb.ok(), Some((360, 180)));
        assert_eq!(sniff(&p.display), Some(Kind::Jpeg));
    }

    #[test]
    fn junk_claiming_to_be_an_image_is_refused() {
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(b"not really a png");
        assert!(matches!(
            process(&fake, MIN_PHOTO_SIDE),
            Err(CatalogError::UnsupportedImage)
        ));
        assert!(matches!(
            process(b"hello", MIN_PHOTO_SIDE),
            Err(CatalogError::UnsupportedImage)
        ));
        assert!(matches!(
            process(&vec![0u8; MAX_UPLOAD_BYTES + 1], MIN_PHOTO_SIDE),
            Err(CatalogError::ImageTooLarge)
        ));
    }

    /// A PNG header claiming `w`×`h` at 16 bits per channel, RGBA, with a tiny (bogus) body:
    /// what a decompression bomb looks like before anyone decodes it.
    fn bomb_header(w: u32, h: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
            let mut crc = crc32fast::Hasher::new();
            crc.update(kind);
            crc.update(data);
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&crc.finalize().to_be_bytes());
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = [w.to_be_bytes(), h.to_be_bytes()].concat();
        ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn a_bomb_is_refused_from_its_header_before_decoding() {
        // 8000×8000 at 16-bit RGBA would take 512 MB decoded; 7999×7000 too (448 MB).
        for (w, h) in [(8000, 8000), (7999, 7000), (MAX_SIDE + 1, 16)] {
            assert!(
                matches!(
                    process(&bomb_header(w, h), MIN_EVIDENCE_SIDE),
                    Err(CatalogError::ImageTooLarge)
                ),
                "{w}×{h} was not refused as too large"
            );
        }
    }

    #[test]
    fn a_speck_is_not_a_photo() {
        for (w, h) in [(1, 1), (MIN_PHOTO_SIDE - 1, 800), (800, 40)] {
            let r = process(&png(w, h), MIN_PHOTO_SIDE);
            let code = match &r {
                Err(CatalogError::Invalid(errs)) => errs.codes_by_field().get("file").cloned(),
                _ => None,
            };
            assert_eq!(code.as_deref(), Some("image_too_small"), "{w}×{h}: {r:?}");
        }
        assert!(process(&png(MIN_PHOTO_SIDE, MIN_PHOTO_SIDE), MIN_PHOTO_SIDE).is_ok());
        assert!(process(&png(1, 1), MIN_EVIDENCE_SIDE).is_err());
        assert!(process(&png(64, 48), MIN_EVIDENCE_SIDE).is_ok());
    }

    #[test]
    fn a_document_picture_is_republished_without_its_metadata_and_legible() {
        let Ok(d) = process_document(&png(3000, 1500)) else {
            panic!("a valid PNG processes")
        };
        let size = image::load_from_memory(&d.jpeg).map(|i| (i.width(), i.height()));
        assert_eq!(size.ok(), Some((DOCUMENT_SIDE, DOCUMENT_SIDE / 2)));
        assert_eq!(sniff(&d.jpeg), Some(Kind::Jpeg));
    }
}
