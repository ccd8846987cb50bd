//! The demo's product photos, drawn at seed time (no downloads): a warm background and the
//! product's shape in its colour.

use image::{Rgb, RgbImage};
use std::io::Cursor;

/// A shape for the drawn photo.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    Round,
    Eggs,
    Grains,
    Leaves,
    Jar,
    Caps,
}

/// Draws a recognisable (if simple) product photo: a warm background and the product's shape.
pub(crate) fn draw(shape: Shape, color: [u8; 3], seed: u64) -> Vec<u8> {
    const W: u32 = 800;
    let mut img = RgbImage::from_fn(W, W, |x, y| {
        let t = (x + y) as f32 / (2 * W) as f32;
        Rgb([
            (250.0 - 20.0 * t) as u8,
            (246.0 - 24.0 * t) as u8,
            (235.0 - 30.0 * t) as u8,
        ])
    });
    let mut disc = |cx: f32, cy: f32, rx: f32, ry: f32, c: [u8; 3]| {
        let (x0, x1) = (
            (cx - rx).max(0.0) as u32,
            (cx + rx).min(W as f32 - 1.0) as u32,
        );
        let (y0, y1) = (
            (cy - ry).max(0.0) as u32,
            (cy + ry).min(W as f32 - 1.0) as u32,
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                let dx = (x as f32 - cx) / rx;
                let dy = (y as f32 - cy) / ry;
                let d = dx * dx + dy * dy;
                if d <= 1.0 {
                    // A little shading so shapes look round.
                    let light = 1.0 + 0.25 * (1.0 - d) - 0.15 * dx - 0.15 * dy;
                    let px = |v: u8| (f32::from(v) * light).clamp(0.0, 255.0) as u8;
                    img.put_pixel(x, y, Rgb([px(c[0]), px(c[1]), px(c[2])]));
                }
            }
        }
    };
    let jitter = |i: u64| {
        ((seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(i.wrapping_mul(1442695040888963407))
            >> 33)
            % 40) as f32
            - 20.0
    };
    match shape {
        Shape::Round => {
            disc(400.0, 430.0, 250.0, 240.0, color);
            disc(470.0, 200.0, 70.0, 30.0, [80, 140, 60]);
        }
        Shape::Eggs => {
            for (i, (x, y)) in [
                (250.0, 330.0),
                (420.0, 300.0),
                (580.0, 350.0),
                (330.0, 520.0),
                (510.0, 530.0),
            ]
            .into_iter()
            .enumerate()
            {
                disc(x + jitter(i as u64), y, 95.0, 125.0, color);
            }
        }
        Shape::Grains => {
            for i in 0..90u64 {
                let x = 140.0 + (i % 10) as f32 * 58.0 + jitter(i);
                let y = 170.0 + (i / 10) as f32 * 55.0 + jitter(i + 99);
                disc(x, y, 22.0, 12.0, color);
            }
        }
        Shape::Leaves => {
            for i in 0..7u64 {
                let x = 220.0 + (i % 4) as f32 * 120.0 + jitter(i);
                let y = 280.0 + (i / 4) as f32 * 220.0 + jitter(i + 7);
                disc(x, y, 110.0, 45.0, color);
            }
        }
        Shape::Jar => {
            disc(400.0, 470.0, 210.0, 260.0, color);
            disc(400.0, 190.0, 130.0, 45.0, [90, 70, 50]);
        }
        Shape::Caps => {
            for i in 0..6u64 {
                let x = 230.0 + (i % 3) as f32 * 170.0 + jitter(i);
                let y = 320.0 + (i / 3) as f32 * 230.0 + jitter(i + 3);
                disc(x, y, 100.0, 70.0, color);
            }
        }
    }
    let mut out = Vec::new();
    let _ = img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png);
    out
}
